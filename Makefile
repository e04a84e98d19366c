# Shortcuts for the commands the README names.
.PHONY: test reliability

test:
	.venv/bin/python -m pytest -q

# The long reliability and security suites; prints the table of figures.
reliability:
	.venv/bin/python -m bench.reliability
