"""The pure core of SBH: the spec model, completion defaults, escaping and the renderer."""
