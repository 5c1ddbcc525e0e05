"""Build the AVIS docs site with nbdev's processors + mkdocs-material/mkdocs-jupyter, offline (prototype, issue 23).

Notebooks are not executed: nbdev's doc processors run on the stored outputs (API docs are rendered by nbdev's
`show_doc` on the installed module, not by running the
export/import cells to render `show_doc`), the processed notebooks are staged, and mkdocs renders them.
Usage: python docs-site/build.py [--out DIR] [--check]
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path
from html.parser import HTMLParser
from urllib.parse import urlsplit, unquote

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'

from nbdev.process import Processor
class show_docs_from_library(Processor):
  "Render nbdev's `show_doc` cells against the installed library module: no notebook cell is executed"
  def begin(self):
    import importlib; proc = self
    from nbdev.processors import _default_exp
    from nbdev.showdoc import show_doc
    exp = proc.nb.metadata.get('_default_exp')  # set by stage(): nbdev drops the directive before the processors run
    ns = dict(vars(importlib.import_module(f'avis.{exp}'))) if exp else {}
    ns['show_doc'] = show_doc
    for c in proc.nb.cells:
        if c.cell_type != 'code' or not re.search(r'^show_doc', c.source or '', re.M): continue
        code = '\n'.join(l for l in c.source.splitlines() if not l.startswith('#|'))
        try: md = eval(code, ns)._repr_markdown_()
        except Exception as e: print(f'  {exp}: no API docs for {code!r}: {type(e).__name__}: {e}'); continue
        c.outputs = [dict(output_type='display_data', metadata={}, data={'text/markdown': md})]

def stage(dst):
    from nbdev.config import get_config
    from nbdev.process import NBProcessor
    from nbdev.processors import (populate_language, add_show_docs, strip_ansi, hide_line, filter_stream_, rm_header_dash,
        clean_show_doc, rm_export, clean_magics, hide_, add_links, strip_hidden_metadata)
    from nbdev.frontmatter import FrontmatterProc
    from fastcore.nbio import read_nb, write_nb
    cfg = get_config(); host = f"{cfg.doc_host}{cfg.doc_baseurl}".rstrip('/') + '/'
    procs = [FrontmatterProc, populate_language, add_show_docs, strip_ansi, hide_line, filter_stream_, rm_header_dash,
             clean_show_doc, show_docs_from_library, rm_export, clean_magics, hide_, add_links, strip_hidden_metadata]
    pages = []
    def name(p):  # nbdev's page naming: numeric prefix dropped (01_desi.ipynb -> desi)
        return re.sub(r'^\d+[a-z]?_', '', p.name)
    def relink(s, depth):
        up = '../'*depth
        if depth == 0: s = re.sub(r'\]\(nbs/', '](', s)                # index.ipynb is also the README: repo-root links
        s = s.replace(host, up)                                    # nbdev's absolute API links -> relative
        s = re.sub(r'\[`([^`]+)`\]\([^)#\s]*#_[^)\s]*\)', r'`\1`', s)     # private names have no API docs: no link
        s = re.sub(r'(\]\([^)#\s]*\.html#)([^)\s]+)\)', lambda m: m[1]+m[2].replace('.', '')+')', s)  # toc slugs drop dots
        s = re.sub(r'\]\((?!https?:)([^)#\s]*?)(\d+[a-z]?_)?([\w.-]+)\.ipynb', lambda m: f"]({m[1]}{m[3]}.ipynb", s)
        return s
    for p in sorted(NBS.rglob('*')):
        rel = p.relative_to(NBS)
        if any(x.startswith(('_', '.')) for x in rel.parts) or p.is_dir(): continue
        out = dst/rel.parent/name(p); out.parent.mkdir(parents=True, exist_ok=True)
        depth = len(rel.parts)-1
        if p.suffix == '.ipynb':
            nb = read_nb(p)
            m = re.search(r'^#\|\s*default_exp\s+(\S+)', '\n'.join(c.source for c in nb.cells if c.cell_type == 'code'), re.M)
            nb.metadata['_default_exp'] = m and m.group(1)
            NBProcessor(nb=nb, procs=procs, rm_directives=True).process()
            cells = []
            for c in nb.cells:
                if 'source' not in c: continue
                d = getattr(c, 'directives_', {}) or {}
                if c.cell_type == 'markdown':   # mkdocs does not rewrite links inside notebooks: point at the pages
                    c.source = re.sub(r'\]\((?!https?:)([^)#\s]+)\.(?:md|ipynb)([#)])', r'](\1.html\2', relink(c.source, depth))
                for o in c.get('outputs', []):
                    md = o.get('data', {}).get('text/markdown')
                    if md is not None: o['data']['text/markdown'] = relink(''.join(md) if isinstance(md, list) else md, depth)
                if c.cell_type == 'code' and (d.get('echo', [''])[0] == 'false' or 'show_doc' in c.source):
                    c.metadata.setdefault('tags', []).append('remove_input')
                cells.append(c)
            nb.cells = cells
            write_nb(nb, out)
        elif p.suffix == '.md':
            from nbdev.doclinks import NbdevLookup
            out.write_text(relink(NbdevLookup().linkify(p.read_text()), depth))
        else: shutil.copy(p, out)
        pages.append(out)
    for f in ('BENCHMARKS.md',): shutil.copy(ROOT/f, dst/f)
    return pages

class _Refs(HTMLParser):
    def __init__(self): super().__init__(); self.refs, self.ids = [], set()
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get('id'): self.ids.add(a['id'])
        if tag == 'a' and a.get('name'): self.ids.add(a['name'])
        for k in ('href', 'src'):
            if a.get(k) and tag in ('a', 'img', 'script', 'link', 'iframe', 'source'): self.refs.append((tag, k, a[k]))

def check(site):
    "Every internal href/src resolves (file and #anchor); no remote asset (script/link/img src over http)"
    parsed, probs = {}, []
    for h in site.rglob('*.html'):
        if h.name == '404.html': continue   # served from the site root: absolute links by design
        r = _Refs(); r.feed(h.read_text(errors='replace')); parsed[h] = r
    for h, r in parsed.items():
        page = h.relative_to(site)
        for tag, k, u in r.refs:
            sp = urlsplit(u)
            if sp.scheme in ('http', 'https') or u.startswith('//'):
                if not (tag == 'a' and k == 'href'): probs.append(f'{page}: remote asset {u}')
                continue
            if sp.scheme in ('mailto', 'data', 'javascript'): continue
            tgt = (h.parent/unquote(sp.path)).resolve() if sp.path else h
            if tgt.is_dir(): tgt = tgt/'index.html'
            if not tgt.exists(): probs.append(f'{page}: broken {k} {u}'); continue
            if sp.fragment and tgt.suffix == '.html':
                ids = parsed[tgt].ids if tgt in parsed else set()
                if unquote(sp.fragment) not in ids: probs.append(f'{page}: broken anchor {u}')
    return len(parsed), probs

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=None); ap.add_argument('--check', action='store_true')
    a = ap.parse_args(); t0 = time.time()
    tmp = Path(tempfile.mkdtemp(prefix='avis-docs-'))
    os.chdir(ROOT)
    stage(tmp/'docs')
    cfg = (Path(__file__).parent/'mkdocs.yml').read_text().replace('DOCS_DIR', str(tmp/'docs'))
    (tmp/'mkdocs.yml').write_text(cfg)
    out = Path(a.out).resolve() if a.out else tmp/'site'
    r = subprocess.run([sys.executable, '-m', 'mkdocs', 'build', '--strict', '-q', '-f', str(tmp/'mkdocs.yml'), '-d', str(out)])
    n, probs = check(out)
    for p in probs[:50]: print(' ', p)
    print(f"docs: {n} pages, {len(probs)} problems, mkdocs rc={r.returncode} ({time.time()-t0:.0f} s)")
    sys.exit(1 if (a.check and (probs or r.returncode)) else 0)

if __name__ == '__main__': main()
