// Engagement module: see DESIGN.md.
