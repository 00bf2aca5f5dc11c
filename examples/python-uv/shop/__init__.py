"""The shop package: its app lives in shop/main.py."""
