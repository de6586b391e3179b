"""What a person reads: the terminal summary, GitHub markdown, progress bars."""
