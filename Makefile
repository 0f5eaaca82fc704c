# Only Python 3.11 and make are needed: every target creates .venv itself.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BABEL_KEYWORDS := --no-default-keywords -k _ -k n_:1,2 -k p_:1c,2 -k np_:1c,2,3 -k N_ -k pN_:1c,2 -k npN_:1c,2,3
LOCALES := fr en ar ps fa ti am ckb vi so kmr om ur

.PHONY: run sandbox test lint types i18n i18n-check pytest bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# With a BOT_TOKEN (environment or .env) run the bot, which reports any bad setting itself;
# without one, open the sandbox.
run: $(STAMP)
	@if [ -n "$$BOT_TOKEN" ] || grep -qsE '^[[:space:]]*BOT_TOKEN[[:space:]]*=[[:space:]]*[^[:space:]#]' .env; \
	then $(BIN)/maraude run; else $(BIN)/maraude sandbox; fi

sandbox: $(STAMP)
	$(BIN)/maraude sandbox

test: lint types i18n-check pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy --strict bot

i18n-check: $(STAMP)
	$(BIN)/maraude i18n check

pytest: $(STAMP)
	$(BIN)/pytest

# Maraude side by side with a bare PTB echo bot, each its own process (issue 13); by hand only:
# it takes a few minutes and wants a quiet machine. BENCH_ARGS, e.g. "--updates 500 --rows 1000".
bench: $(STAMP)
	$(BIN)/python -m bench.bench_side_by_side $(BENCH_ARGS)

# Extract messages and merge them into every catalogue. The bot compiles a catalogue itself
# (fuzzy entries included) the first time it starts after it changed.
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output --no-wrap \
		--project=Maraude --copyright-holder="Maraude contributors" -o locales/bot.pot .
	for locale in $(LOCALES); do \
		if [ -f locales/$$locale/LC_MESSAGES/bot.po ]; then \
			$(BIN)/pybabel update -i locales/bot.pot -d locales -D bot -l $$locale \
				--no-fuzzy-matching --ignore-obsolete --no-wrap; \
		else \
			$(BIN)/pybabel init -i locales/bot.pot -d locales -D bot -l $$locale; \
		fi; \
	done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
	rm -f locales/*/LC_MESSAGES/*.mo
