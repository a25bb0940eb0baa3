"""Plausible beginner mistakes per lab; each must fail a public test that names the broken rule."""
