"""What one module directory declares: the tables the declaration checks fill and the
reference walker resolves names in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from renderers.terraform.hcl_tree import Block, File


@dataclass
class Declaration:
    """A labelled top-level block and the file it is in."""

    path: str
    block: Block


@dataclass
class Module:
    """One module directory: its parsed files and its declarations by name."""

    directory: str
    files: list[File] = field(default_factory=list)
    incomplete: bool = False  # a file failed to parse: its declarations are unknown
    variables: dict[str, Declaration] = field(default_factory=dict)
    locals: dict[str, tuple[str, int]] = field(default_factory=dict)
    outputs: dict[str, Declaration] = field(default_factory=dict)
    resources: dict[tuple[str, str], Declaration] = field(default_factory=dict)
    data: dict[tuple[str, str], Declaration] = field(default_factory=dict)
    ephemeral: dict[tuple[str, str], Declaration] = field(default_factory=dict)
    calls: dict[str, Declaration] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        return self.directory

    def required_variables(self) -> list[str]:
        return sorted(
            name
            for name, declaration in self.variables.items()
            if declaration.block.attribute("default") is None
        )
