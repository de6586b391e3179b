"""The vocabulary: event classes, their versions and upcasters, and the codec."""
