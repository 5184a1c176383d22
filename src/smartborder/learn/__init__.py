"""Learning from inspection outcomes: labelled data, features, a calibrated risk model and its evaluation."""
