"""HTTP routes: thin, each calls one service and returns its answer."""
