"""pytest -> events: the plugin, the recording session, steps and the environment."""
