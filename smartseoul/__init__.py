"""Smart Seoul Platform: the Seoul e-government and smart-city model as open-source software."""

__version__ = "0.1.0"
