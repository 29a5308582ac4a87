"""The microscope's screens and dialogs: what a chart's data point is made of, and what to do with its users."""
