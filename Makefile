# `make test` and `make demo` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
JUPYTER_ENV := JUPYTER_PLATFORM_DIRS=1 JUPYTER_CONFIG_DIR=$(CURDIR)/.jupyter/config \
	JUPYTER_DATA_DIR=$(CURDIR)/.jupyter/data JUPYTER_RUNTIME_DIR=$(CURDIR)/.jupyter/runtime \
	IPYTHONDIR=$(CURDIR)/.jupyter/ipython MPLCONFIGDIR=$(CURDIR)/.jupyter/mpl

.PHONY: test unit cuda-sim nbval browser js extension demo bench goldens lessons lab clean

$(STAMP): pyproject.toml extension/package.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest tests --ignore=tests/browser
	$(MAKE) js
	$(MAKE) cuda-sim
	$(JUPYTER_ENV) $(PY) -m pytest --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider notebooks/
	$(MAKE) browser

unit: $(STAMP)
	$(PY) -m pytest tests --ignore=tests/browser

# The CUDA kernels against their CPU twins and 3 training steps, on Numba's CUDA simulator
# (its own process: the simulator must be on before Numba is imported).
cuda-sim: $(STAMP)
	NUMBA_ENABLE_CUDASIM=1 $(PY) -m pytest tests/cuda -p no:cacheprovider

# JupyterLab driven by headless Chromium (skipped when /usr/bin/chromium is absent).
# A UI test on a shared 2-core machine gets one retry before it counts as failed.
browser: $(STAMP)
	$(PY) -m pytest tests/browser -p no:cacheprovider || $(PY) -m pytest tests/browser -p no:cacheprovider

# The JupyterLab extension: `pip install -e .` above already built it with Node (npm registry);
# `extension` rebuilds it after editing extension/src, `js` runs its Vitest tests.
extension/node_modules/.package-lock.json: extension/package.json
	cd extension && npm install --no-audit --no-fund

extension: extension/node_modules/.package-lock.json
	cd extension && PATH=$(CURDIR)/$(VENV)/bin:$$PATH npm run build:prod

js: extension/node_modules/.package-lock.json
	cd extension && npm test

nbval: $(STAMP)
	$(JUPYTER_ENV) $(PY) -m pytest --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider notebooks/

# Rewrite the lesson notebooks (notebooks/en, notebooks/zh) from tools/lessons/ and execute them.
# `make lessons LESSONS="03 08"` rebuilds only those lessons.
lessons: $(STAMP)
	$(JUPYTER_ENV) $(PY) tools/lessons/build.py $(LESSONS)

# JupyterLab on the notebooks (the lesson series in en/ and zh/), with the venv set up first.
lab: $(STAMP)
	$(JUPYTER_ENV) $(PY) -m jupyterlab --ServerApp.root_dir=$(CURDIR)/notebooks \
		$$(test "$$(id -u)" = 0 && echo --allow-root)

demo: $(STAMP)
	MPLCONFIGDIR=$(CURDIR)/.jupyter/mpl $(PY) -m nbkeras.demo

bench: $(STAMP)
	$(PY) bench/mlp.py
	$(PY) bench/tutorial.py
	$(PY) bench/cold_start.py

# Regenerate tests/goldens from real Keras (needs the `parity` extra: keras + jax).
goldens:
	KERAS_BACKEND=jax $(PY) tools/make_goldens.py

clean:
	rm -rf $(VENV) .jupyter .pytest_cache extension/node_modules extension/lib nbkeras/labextension
