"""Write SBH's OpenAPI description, the contract of its JSON API, to `web/openapi.json`; the
web app's API types (`web/src/lib/api-types.ts`) are generated from it by openapi-typescript
(`make api-types` does both).

    python scripts/export_openapi.py          # write web/openapi.json
    python scripts/export_openapi.py --check  # exit 1 if the committed file differs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.app import openapi_text

TARGET = Path(__file__).resolve().parent.parent / "web" / "openapi.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    text = openapi_text()
    if parser.parse_args().check:
        if TARGET.read_text() != text:
            print("web/openapi.json is stale: run `make api-types`", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
