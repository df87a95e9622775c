"""One module of endpoints per simulated provider; the behaviour lives next door, per provider."""
