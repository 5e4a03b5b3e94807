// Jobs module: see DESIGN.md.
