"""Render nbs/index.ipynb to README.md (what `nbdev-readme` does through Quarto, which cannot be installed here).

Markdown cells are copied; code cells are shown as ```python blocks followed by their text output;
cells whose first lines carry `#| hide` are skipped and other `#|` directives are dropped.
Usage: python .ci/readme.py [--check]   (--check: exit 1 if README.md is not what index.ipynb renders to)
"""
import json, sys
from pathlib import Path

def _src(c): return ''.join(c['source']) if isinstance(c['source'], list) else c['source']

def render(nb_path='nbs/index.ipynb'):
    nb = json.loads(Path(nb_path).read_text())
    out = []
    for c in nb['cells']:
        src = _src(c)
        lines = src.splitlines()
        dirs = [l for l in lines if l.startswith('#|')]
        if any(l.replace(' ', '') in ('#|hide', '#|hide_input') for l in dirs) or any('default_exp' in l for l in dirs): continue
        body = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        if not body: continue
        if c['cell_type'] == 'markdown': out.append(body)
        else:
            out.append(f'```python\n{body}\n```')
            for o in c.get('outputs', []):
                txt = o.get('text') or o.get('data', {}).get('text/plain')
                if txt: out.append('```\n' + (''.join(txt) if isinstance(txt, list) else txt).rstrip() + '\n```')
    return '\n\n'.join(out) + '\n'

if __name__ == '__main__':
    md = render()
    if '--check' in sys.argv:
        if Path('README.md').read_text() != md:
            print('README.md is out of date with nbs/index.ipynb: run `python .ci/readme.py`'); sys.exit(1)
    else: Path('README.md').write_text(md)
