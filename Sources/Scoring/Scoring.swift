// Scoring: pure text analytics (see DESIGN.md).
