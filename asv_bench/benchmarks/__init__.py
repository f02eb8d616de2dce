"""rustorch's asv suite: one module per topic (see ../README.md, "Performance tracking")."""
