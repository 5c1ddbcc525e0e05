"""Build the AVIS docs site offline, from the notebooks' stored outputs (what `nbdev-docs` does through Quarto,
which cannot be installed here).

Nothing in a notebook is executed. Each notebook in `nbs/` (tutorials included) becomes one HTML page:
markdown cells are rendered, `#| hide` (and `include: false`, `exporti`, `default_exp`) cells dropped, `#|`
directive lines stripped, code highlighted with Pygments, stored outputs kept (text, tables, PNG/SVG figures,
plotly figures against a local copy of plotly.js). After each `#| export` cell come the API docs of the
functions and classes it defines (the names `nbdev`'s `add_show_docs` picks), rendered from the imported
library module: signature, docstring and the docments table; the exported source follows, folded.
`nbs/**/*.md` pages, and repository markdown files the pages link to (BENCHMARKS.md), are rendered too;
links to notebooks and markdown files are rewritten to their pages, linked images are copied in, and
inline code naming a documented symbol links to its API docs. No CDN: one local stylesheet.

Usage: python .ci/docs.py [--out _docs] [--check]
  --check: build into a temporary folder, verify that every notebook has a page and that every internal
           link, anchor and <img src> resolves inside the site; print "docs: N pages, M images, K broken
           links" and exit 1 on any problem.
"""
import argparse, ast, base64, html, importlib, inspect, json, os, re, shutil, sys, tempfile, time, warnings
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit, unquote

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, get_lexer_by_name
from pygments.util import ClassNotFound

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'
LIB = 'avis'
REPO_URL = 'https://github.com/avis-astro/avis'
HOME_PAGES = ('architecture.md',)   # shown beside the index, not under Reports
GROUPS = [(0, 'Data'), (10, 'Models'), (20, 'Training'), (30, 'Analysis'), (40, 'CLI'), (50, 'Benchmarks'), (60, 'More')]
_re_num = re.compile(r'^\d+[a-z]?_')
_re_ansi = re.compile(r'\x1B(?:[@-Z\\-_]|\[[0-?]*[ -/]*[@-~])')

def _src(x): return ''.join(x) if isinstance(x, list) else (x or '')
def _esc(s): return html.escape(s, quote=True)
def _rel(target, frm):
    "URL of site path `target` seen from the page at site path `frm`"
    return os.path.relpath(target, os.path.dirname(frm) or '.').replace(os.sep, '/')

# ---------------------------------------------------------------- directives
def split_directives(src):
    "(directives dict, source without `#|` lines) of a code cell, as nbdev reads them"
    dirs, lines = {}, []
    for l in src.splitlines():
        m = re.match(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$', l)
        if m: dirs[m.group(1).lower()] = m.group(2)
        elif re.search(r'#\|\s*hide_line\s*$', l): continue
        else: lines.append(l)
    return dirs, '\n'.join(lines).strip('\n')

_magics = re.compile(r'^\s*%(load_ext|autoreload|reload_ext|matplotlib|config)\b.*$', re.M)
_false = ('false', 'no', '0')

# ---------------------------------------------------------------- math (no MathJax: TeX shown as readable text)
_tex_sym = {'alpha':'α','beta':'β','gamma':'γ','delta':'δ','epsilon':'ε','varepsilon':'ε','zeta':'ζ','eta':'η','theta':'θ',
    'kappa':'κ','lambda':'λ','mu':'μ','nu':'ν','xi':'ξ','pi':'π','rho':'ρ','sigma':'σ','tau':'τ','phi':'φ','varphi':'φ',
    'chi':'χ','psi':'ψ','omega':'ω','Gamma':'Γ','Delta':'Δ','Theta':'Θ','Lambda':'Λ','Sigma':'Σ','Phi':'Φ','Omega':'Ω',
    'sum':'∑','prod':'∏','int':'∫','cdot':'·','times':'×','le':'≤','leq':'≤','ge':'≥','geq':'≥','ne':'≠','neq':'≠',
    'approx':'≈','sim':'∼','propto':'∝','infty':'∞','pm':'±','to':'→','rightarrow':'→','leftarrow':'←','in':'∈',
    'partial':'∂','nabla':'∇','sqrt':'√','ell':'ℓ','log':'log','exp':'exp','ln':'ln','min':'min','max':'max',
    'arg':'arg','sin':'sin','cos':'cos','langle':'⟨','rangle':'⟩','lVert':'‖','rVert':'‖','|':'‖','mid':'|',
    'quad':'\u2003','qquad':'\u2003\u2003',',':'\u2009',';':'\u2005','!':'',' ':' '}

def tex2html(tex):
    "TeX to readable HTML: Greek and operators as Unicode, ^/_ as sup/sub, \\mathrm{} etc. unwrapped"
    s = _esc(tex)
    s = re.sub(r'\\(?:mathrm|text|mathbf|mathit|operatorname|boldsymbol|mathcal|rm)\s*\{([^{}]*)\}', r'\1', s)
    s = re.sub(r'\\(?:left|right|big|Big|bigg)\s*', '', s)
    s = re.sub(r'\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}', r'(\1)/(\2)', s)
    s = re.sub(r'\\([A-Za-z]+|[,;! |])', lambda m: _tex_sym.get(m.group(1), m.group(1)), s)
    s = re.sub(r'\^\{([^{}]*)\}|\^(\S)', lambda m: f'<sup>{m.group(1) or m.group(2)}</sup>', s)
    s = re.sub(r'_\{([^{}]*)\}|_(\w)', lambda m: f'<sub>{m.group(1) or m.group(2)}</sub>', s)
    return s.replace('{', '').replace('}', '')

def _math_rule(state, silent):
    src, pos, mx = state.src, state.pos, state.posMax
    if src[pos] != '$': return False
    if src.startswith('$$', pos):
        end = src.find('$$', pos+2)
        if end < 0 or end+2 > mx: return False
        content, new, disp = src[pos+2:end], end+2, True
    else:
        if pos+1 >= mx or src[pos+1].isspace() or src[pos+1] == '$': return False
        end = pos+1
        while True:                       # pandoc's rule: no space inside the dollars, no digit right after
            end = src.find('$', end)
            if end < 0 or end >= mx: return False
            if src[end-1] == '\\' or src[end-1].isspace() or (end+1 < len(src) and src[end+1].isdigit()): end += 1; continue
            break
        content, new, disp = src[pos+1:end], end+1, False
    if not content.strip() or '`' in content: return False
    if not silent:
        tok = state.push('math', 'span', 0); tok.content, tok.meta = content, {'display': disp}
    state.pos = new
    return True

def _render_math(self, tokens, idx, options, env):
    t = tokens[idx]
    cls = 'math display' if t.meta['display'] else 'math'
    return f'<span class="{cls}" title="{_esc(t.content)}">{tex2html(t.content)}</span>'

# ---------------------------------------------------------------- site model
class Page:
    def __init__(self, src, url, kind, order, group):
        self.src, self.url, self.kind, self.order, self.group = src, url, kind, order, group
        self.title, self.desc, self.body, self.toc, self.ids, self.head = src.stem, '', '', [], set(), ''

def page_url(p):
    "Site path of the page for repository file `p` (.ipynb or .md)"
    rel = p.relative_to(NBS) if p.is_relative_to(NBS) else PurePosixPath(p.relative_to(ROOT).as_posix().lower())
    parts = list(PurePosixPath(rel.as_posix()).parts)
    parts[-1] = _re_num.sub('', Path(parts[-1]).stem) + '.html'
    return '/'.join(parts)

def _skip(p, base): return any(s.startswith(('_', '.')) for s in p.relative_to(base).parts)

def find_sources():
    nbs = sorted(p for p in NBS.rglob('*.ipynb') if not _skip(p, NBS))
    mds = sorted(p for p in NBS.rglob('*.md') if not _skip(p, NBS))
    return nbs, mds

def _group(p):
    if p.is_relative_to(NBS) and p.relative_to(NBS).as_posix() in HOME_PAGES: return ''
    rel = p.relative_to(NBS)
    if p.suffix == '.md' or not p.is_relative_to(NBS): return 'Reports'
    if len(rel.parts) > 1: return rel.parts[0].replace('_', ' ').capitalize()
    if p.stem == 'index': return ''
    m = re.match(r'^(\d+)', p.stem)
    if not m: return 'More'
    return [g for lo, g in GROUPS if int(m.group(1)) >= lo][-1]

# ---------------------------------------------------------------- API docs
def _anno(a):
    if a is inspect.Parameter.empty: return ''
    if isinstance(a, str): return a
    return inspect.formatannotation(a)

def _fmt_default(d):
    r = repr(d)
    return r if len(r) <= 60 else r[:57] + '...'

def sig_str(obj, nm):
    "One-line (wrapped per parameter when long) signature with annotations and defaults"
    if isinstance(obj, property):                          # @patch(as_prop=True): show it as an attribute
        ret = inspect.signature(obj.fget).return_annotation if obj.fget else inspect.Signature.empty
        return f'@property {nm}' + ('' if ret is inspect.Signature.empty else ' -> ' + _anno(ret))
    kind = 'class' if inspect.isclass(obj) else ('async def' if inspect.iscoroutinefunction(obj) else 'def')
    try: sig = inspect.signature(obj)
    except (ValueError, TypeError): return f'{kind} {nm}'
    parts, seen_kw = [], False
    ps = list(sig.parameters.values())
    for i, p in enumerate(ps):
        if p.kind == p.KEYWORD_ONLY and not seen_kw: parts.append('*'); seen_kw = True
        if p.kind == p.VAR_POSITIONAL: seen_kw = True
        s = {p.VAR_POSITIONAL: '*', p.VAR_KEYWORD: '**'}.get(p.kind, '') + p.name
        if (a := _anno(p.annotation)): s += ':' + a
        if p.default is not p.empty: s += '=' + _fmt_default(p.default)
        parts.append(s)
        if p.kind == p.POSITIONAL_ONLY and (i+1 == len(ps) or ps[i+1].kind != p.POSITIONAL_ONLY): parts.append('/')
    ret = '' if inspect.isclass(obj) or sig.return_annotation is sig.empty else '->' + _anno(sig.return_annotation)
    one = f'{kind} {nm}({", ".join(parts)}){ret}'
    if len(one) <= 90: return one
    return f'{kind} {nm}(\n' + ''.join(f'    {s},\n' for s in parts) + f'){ret}'

def _docments(obj):
    from fastcore.docments import docments
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try: return docments(obj, full=True)
        except Exception: return {}

def _docstring(obj):
    d = obj.__doc__ if inspect.isclass(obj) else inspect.getdoc(obj)
    if inspect.isclass(obj) and d: d = inspect.cleandoc(d)
    if inspect.isclass(obj) and not d and '__init__' in vars(obj): d = inspect.getdoc(obj.__init__)
    return d or ''

def api_html(obj, nm, anchor, md):
    "HTML card for one symbol: name, signature, docstring, docments table"
    sig = highlight(sig_str(obj, nm), PythonLexer(), HtmlFormatter(nowrap=True))
    doc = _docstring(obj)
    out = [f'<div class="api" id="{_esc(anchor)}"><h4 class="api-name"><a class="anchor" href="#{_esc(anchor)}">'
           f'<code>{_esc(nm)}</code></a></h4>', f'<pre class="sig highlight">{sig}</pre>']
    if doc: out.append(f'<div class="api-doc">{md(doc)}</div>')
    dm = {} if isinstance(obj, property) else _docments(obj)
    rows = []
    for k, v in dm.items():
        if not isinstance(v, dict): continue
        if k in ('self', 'cls'): continue
        a, d, c = _anno(v.get('anno', inspect.Parameter.empty)), v.get('default', inspect.Parameter.empty), v.get('docment')
        if k == 'return':
            if not a and not c: continue
            rows.append(('<b>Returns</b>', a, '', c)); continue
        rows.append((f'<code>{_esc(k)}</code>', a, '' if d is inspect.Parameter.empty else _fmt_default(d), c))
    if any(r[0] != '<b>Returns</b>' or r[3] for r in rows):    # not for a bare return type: the signature shows it
        out.append('<table class="params"><thead><tr><th></th><th>Type</th><th>Default</th><th>Details</th></tr></thead><tbody>')
        for n, a, d, c in rows:
            out.append(f'<tr><td>{n}</td><td>{"<code>"+_esc(a)+"</code>" if a else ""}</td>'
                       f'<td>{"<code>"+_esc(d)+"</code>" if d else ""}</td><td>{md(c, inline=True) if c else ""}</td></tr>')
        out.append('</tbody></table>')
    out.append('</div>')
    return '\n'.join(out)

def def_names(src):
    "Public names `nbdev`'s `add_show_docs` documents for an exported cell (functions, classes, @patch methods)"
    from nbdev.showdoc import showdoc_nm
    try: tree = ast.parse(src)
    except SyntaxError: return []
    nms = [showdoc_nm(o) for o in tree.body if isinstance(o, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
           and (o.name[0] != '_' or o.name[:2] == '__')]
    return [n for nm in nms for n in (nm if isinstance(nm, list) else [nm])]

def _pkg_mod(nm):
    "Module name of a `default_exp`: 'mock.__init__' (a package's notebook) is the package 'mock'"
    return re.sub(r'\.?__init__$', '', nm)

def resolve(mod, nm):
    obj = mod
    for part in nm.split('.'): obj = getattr(obj, part)
    return obj

# ---------------------------------------------------------------- builder
class Site:
    def __init__(self, out):
        self.out, self.problems, self.assets, self.plotly = Path(out), [], {}, False
        nbs, mds = find_sources()
        self.pages = {}
        for i, p in enumerate(nbs + mds):
            self.pages[p.resolve()] = Page(p, page_url(p), p.suffix[1:], i, _group(p))
        self.symbols = {}    # name -> site url with anchor
        self.fmt = HtmlFormatter(cssclass='highlight')
        self.md = MarkdownIt('commonmark', {'html': True, 'highlight': self._fence}).enable(['table', 'strikethrough'])
        self.md.inline.ruler.before('escape', 'math', _math_rule)
        self.md.add_render_rule('math', _render_math)

    # -- links
    def map_link(self, url, page):
        "Rewrite a relative link in `page`'s source to a site URL (copying assets in); external links pass"
        if not url or url.startswith('#'): return url
        sp = urlsplit(url)
        if sp.scheme or url.startswith('//') or url.startswith('data:'): return url
        path = unquote(sp.path)
        frag = '#' + sp.fragment if sp.fragment else ''
        for base in (page.src.parent, ROOT):               # index.ipynb is also README.md: links relative to the root
            f = (base/path).resolve()
            if f.exists() and f.is_relative_to(ROOT): break
        else: return url                                   # left as is: --check reports it
        if f in self.pages: return _rel(self.pages[f].url, page.url) + frag
        if f.suffix == '.md':                              # a repository page (BENCHMARKS.md): render it too
            self.pages[f] = Page(f, page_url(f), 'md', 10_000 + len(self.pages), 'Reports')
            self.pending.append(self.pages[f])
            return _rel(self.pages[f].url, page.url) + frag
        if f.is_file() and f.is_relative_to(NBS) and f.suffix.lower() in {'.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp', '.pdf', '.csv', '.json', '.html', '.txt'}:
            dest = f.relative_to(NBS).as_posix()
            self.assets[dest] = f
            return _rel(dest, page.url) + frag
        return f'{REPO_URL}/blob/main/{f.relative_to(ROOT).as_posix()}{frag}'

    def _fix_html_urls(self, s, page):
        return re.sub(r'''(\b(?:src|href)\s*=\s*)(["'])(.*?)\2''', lambda m: f'{m.group(1)}{m.group(2)}{self.map_link(m.group(3), page)}{m.group(2)}', s)

    def _link_code(self, code, page):
        c = re.sub(r'\(.*\)$', '', code.strip())
        cands = [c, c.split('.', 1)[1] if c.startswith(LIB + '.') else None]
        parts = c.split('.')
        if len(parts) >= 2: cands += ['.'.join(parts[-2:]), parts[-1]] if parts[0] in (LIB, *self.modules) else []
        for k in cands:
            if k and k in self.symbols: return _rel(self.symbols[k].split('#')[0], page.url) + '#' + self.symbols[k].split('#')[1]
        return None

    # -- markdown
    def render_md(self, text, page, inline=False, toc=False):
        env = {}
        tokens = self.md.parseInline(text, env) if inline else self.md.parse(text, env)
        for i, t in enumerate(tokens):
            if t.type == 'heading_open' and not inline:
                title = ''.join(c.content for c in (tokens[i+1].children or []) if c.type in ('text', 'code_inline'))
                hid = self._uid(page, re.sub(r'[^\w\- ]', '', title.lower()).strip().replace(' ', '-') or 'section')
                t.attrSet('id', hid)
                if toc and t.tag == 'h2': page.toc.append((hid, title))
            if t.type in ('html_block', 'html_inline'): t.content = self._fix_html_urls(t.content, page)
            if t.children: self._fix_inline(t.children, page)
        if inline: self._fix_inline(tokens, page)
        r = self.md.renderer.render(tokens, self.md.options, env)
        return r

    def _fix_inline(self, children, page):
        depth = 0
        for j, c in enumerate(children):
            if c.type == 'link_open':
                depth += 1; c.attrSet('href', self.map_link(c.attrGet('href'), page))
            elif c.type == 'link_close': depth -= 1
            elif c.type == 'image': c.attrSet('src', self.map_link(c.attrGet('src'), page))
            elif c.type == 'html_inline': c.content = self._fix_html_urls(c.content, page)
            elif c.type == 'code_inline' and depth == 0 and (u := self._link_code(c.content, page)):
                c.type, c.content = 'html_inline', f'<a class="sym" href="{_esc(u)}"><code>{_esc(c.content)}</code></a>'

    def _uid(self, page, base, api=False):
        "A unique id on `page`; headings avoid the anchors reserved for API docs"
        taken = page.ids if api else page.ids | getattr(page, 'reserved', set())
        i, hid = 0, base
        while hid in taken: i += 1; hid = f'{base}-{i}'
        page.ids.add(hid)
        return hid

    def _fence(self, code, lang, attrs):
        "Fenced code blocks in markdown: highlighted when they name a language, plain otherwise"
        try: lexer = get_lexer_by_name(lang) if lang else None
        except ClassNotFound: lexer = None
        body = highlight(code, lexer, HtmlFormatter(nowrap=True)) if lexer else _esc(code)
        return f'<pre class="highlight fence"><code>{body}</code></pre>'

    def code_html(self, src, lang='python'):
        try: lexer = get_lexer_by_name(lang)
        except ClassNotFound: lexer = PythonLexer()
        return highlight(src, lexer, self.fmt)

    # -- outputs
    def save_asset(self, page, data, ext):
        page.nfig = getattr(page, 'nfig', 0) + 1
        dest = f'figures/{page.url[:-5]}/{page.nfig}.{ext}'
        self.assets[dest] = data
        return _rel(dest, page.url)

    def output_html(self, o, page):
        t = o.get('output_type')
        if t == 'stream':
            txt = _re_ansi.sub('', _src(o.get('text')))
            txt = '\n'.join(l.rsplit('\r', 1)[-1] for l in txt.split('\n'))
            return f'<pre class="out {_esc(o.get("name", ""))}">{_esc(txt.rstrip())}</pre>' if txt.strip() else ''
        if t == 'error':
            tb = _re_ansi.sub('', '\n'.join(o.get('traceback', [])) or f"{o.get('ename')}: {o.get('evalue')}")
            return f'<pre class="out error">{_esc(tb)}</pre>'
        d = o.get('data', {})
        if 'application/vnd.plotly.v1+json' in d:
            self.plotly = page.plotly = True
            fig = d['application/vnd.plotly.v1+json']
            pid = self._uid(page, 'plotly')
            return (f'<div class="out-plotly" id="{pid}"></div><script>if(window.Plotly)Plotly.newPlot("{pid}",'
                    f'{json.dumps(fig.get("data", []))},{json.dumps(fig.get("layout", {}))});else document.getElementById("{pid}")'
                    f'.textContent="(interactive plotly figure: plotly.min.js not found)"</script>')
        for mime, ext in (('image/png', 'png'), ('image/jpeg', 'jpg'), ('image/gif', 'gif')):
            if mime in d:
                src = self.save_asset(page, base64.b64decode(_src(d[mime])), ext)
                alt = _esc(_src(d.get('text/plain', 'figure'))[:100])
                return f'<div class="out-img"><img src="{src}" alt="{alt}" loading="lazy"></div>'
        if 'image/svg+xml' in d:
            src = self.save_asset(page, _src(d['image/svg+xml']).encode(), 'svg')
            return f'<div class="out-img"><img src="{src}" alt="figure"></div>'
        if 'text/html' in d:
            h = _src(d['text/html'])
            if re.search(r'<script[^>]+src=["\'](https?:)?//[^"\']*plotly', h):   # plotly to_html(include_plotlyjs='cdn')
                self.plotly = page.plotly = True
                h = re.sub(r'<script[^>]+src=["\'](https?:)?//[^"\']*plotly[^"\']*["\'][^>]*>\s*</script>', '', h)
            return f'<div class="out-html">{h}</div>'
        if 'text/markdown' in d: return f'<div class="out-md">{self.render_md(_src(d["text/markdown"]), page)}</div>'
        if 'text/latex' in d: return f'<pre class="out">{_esc(_src(d["text/latex"]))}</pre>'
        if 'text/plain' in d: return f'<pre class="out">{_esc(_re_ansi.sub("", _src(d["text/plain"])))}</pre>'
        if 'application/json' in d: return f'<pre class="out">{_esc(json.dumps(d["application/json"], indent=1))}</pre>'
        return ''

    # -- notebooks
    def build_nb(self, page):
        nb = json.loads(page.src.read_text())
        cells = nb['cells']
        default_exp = next((m.group(1) for c in cells if c['cell_type'] == 'code'
                            for m in [re.search(r'^\s*#\|\s*default_exp\s+(\S+)', _src(c['source']), re.M)] if m), None)
        body, titled = [], False
        for c in cells:
            src = _src(c['source'])
            if c['cell_type'] == 'raw': continue
            if c['cell_type'] == 'markdown':
                if not titled and (m := re.match(r'^\s*#\s+(.+?)\s*\n(?:\s*\n)*((?:>.*(?:\n|$))*)', src + '\n')):
                    page.title, titled = m.group(1).strip(), True
                    page.desc = ' '.join(l.lstrip('>').strip() for l in m.group(2).splitlines()).strip()
                    src = src[m.end():]
                if src.strip(): body.append(f'<div class="md">{self.render_md(self._attach(c, src, page), page, toc=True)}</div>')
                continue
            dirs, code = split_directives(src)
            code = _magics.sub('', code).strip('\n')
            if dirs.keys() & {'hide', 'default_exp', 'exporti'} or dirs.get('include', '').lower() in _false: continue
            if 'nbdev_export()' in code and len(code) < 60: continue
            exp = dirs.keys() & {'export', 'exports'}
            outs = [] if 'hide_output' in dirs or dirs.get('output', '').lower() in _false else \
                [h for h in (self.output_html(o, page) for o in c.get('outputs', [])) if h]
            flags = [f for f in ('slow', 'cuda', 'refdata', 'notest') if f in dirs]
            if exp:
                modnm = _pkg_mod((dirs.get('export') or dirs.get('exports') or default_exp or '').strip())
                names = def_names(code)
                docs = [self.api_for(modnm, nm, page) for nm in names]
                only_imports = all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in ast.parse(code).body) if code else True
                if docs or only_imports:
                    summary = 'Exported source' if docs else 'Exported imports'
                    body.append('\n'.join(docs) + f'<details class="src"><summary>{summary}</summary>{self.code_html(code)}</details>')
                    body.extend(outs); continue
            show_code = code.strip() and 'hide_input' not in dirs and dirs.get('echo', '').lower() not in _false
            if not (show_code or outs): continue
            tags = ''.join(f'<span class="flag" title="skipped by nbdev-test unless this flag is on">{f}</span>' for f in flags)
            body.append('<div class="cell">' + (f'<div class="code">{tags}{self.code_html(code)}</div>' if show_code else '')
                        + (f'<div class="outputs">{"".join(outs)}</div>' if outs else '') + '</div>')
        page.body = '\n'.join(body)

    def _attach(self, c, src, page):
        "Write cell attachments as files and point `attachment:` links at them"
        for nm, d in (c.get('attachments') or {}).items():
            for mime, b64 in d.items():
                if mime.startswith('image/'):
                    url = self.save_asset(page, base64.b64decode(_src(b64)), mime.split('/')[1].split('+')[0])
                    src = src.replace(f'attachment:{nm}', url)
        return src

    def api_for(self, modnm, nm, page):
        try:
            mod = importlib.import_module(f'{LIB}.{modnm}' if modnm else LIB)
            obj = resolve(mod, nm)
            anchor = self._uid(page, nm.lower(), api=True)
            page.api.append((anchor, nm))
            return api_html(obj, nm, anchor, lambda s, inline=False: self.render_md(s, page, inline=inline))
        except Exception as e:
            self.problems.append(f'{page.src.relative_to(ROOT)}: no API docs for {modnm}.{nm}: {type(e).__name__}: {e}')
            return f'<div class="api"><h4><code>{_esc(nm)}</code></h4><p>(documentation unavailable)</p></div>'

    def collect_symbols(self):
        "First pass: where each exported name will be documented, so inline code can link to it"
        self.modules = set()
        for p in list(self.pages.values()):
            if p.kind != 'ipynb': continue
            p.api, p.reserved = [], set()
            cells = json.loads(p.src.read_text())['cells']
            dexp = None
            for c in cells:
                if c['cell_type'] != 'code': continue
                dirs, code = split_directives(_src(c['source']))
                if 'default_exp' in dirs:
                    dexp = _pkg_mod(dirs['default_exp']); self.modules.add(dexp)
                    self.symbols.setdefault(f'{LIB}.{dexp}', p.url + '#')
                if dirs.keys() & {'export', 'exports'} and 'hide' not in dirs:
                    for nm in def_names(code):
                        self.symbols.setdefault(nm, f'{p.url}#{nm.lower()}'); p.reserved.add(nm.lower())
        self.symbols = {k: (v if not v.endswith('#') else v + 'top') for k, v in self.symbols.items()}

    def build_md(self, page):
        text = page.src.read_text()
        if (m := re.match(r'^---\n(.*?)\n---\n', text, re.S)):
            for l in m.group(1).splitlines():
                k, _, v = l.partition(':')
                if k.strip() == 'title': page.title = v.strip().strip('"\'')
                if k.strip() == 'description': page.desc = v.strip().strip('"\'')
            text = text[m.end():]
        if (m := re.match(r'^\s*#\s+(.+?)\s*\n(?:\s*\n)*((?:>.*(?:\n|$))*)', text + '\n')):
            page.title = m.group(1).strip()
            page.desc = ' '.join(l.lstrip('>').strip() for l in m.group(2).splitlines()).strip()
            text = text[m.end():]
        page.body = f'<div class="md">{self.render_md(text, page, toc=True)}</div>'

    # -- layout
    def nav_html(self, cur, ordered):
        out, group = ['<ul class="nav">'], None
        for p in ordered:
            if p.group != group:
                if group is not None: out.append('</ul></li>')
                group = p.group
                out.append(f'<li class="group"><span>{_esc(group or "Home")}</span><ul>')
            a = ' class="active"' if p is cur else ''
            out.append(f'<li><a{a} href="{_rel(p.url, cur.url)}">{_esc(p.title)}</a>')
            if p is cur and p.toc:
                out.append('<ul class="toc">' + ''.join(f'<li><a href="#{h}">{_esc(t)}</a></li>' for h, t in p.toc) + '</ul>')
            out.append('</li>')
        out.append('</ul></li></ul>')
        return ''.join(out)

    def write_page(self, p, ordered, idx):
        root = _rel('style.css', p.url)[:-len('style.css')]
        prev = ordered[idx-1] if idx > 0 else None
        nxt = ordered[idx+1] if idx+1 < len(ordered) else None
        pager = '<nav class="pager">' + (f'<a class="prev" href="{_rel(prev.url, p.url)}">← {_esc(prev.title)}</a>' if prev else '<span></span>') \
                + (f'<a class="next" href="{_rel(nxt.url, p.url)}">{_esc(nxt.title)} →</a>' if nxt else '') + '</nav>'
        site_desc = re.sub(r'[`*]', '', self.home.desc) if self.home else ''
        plotly = f'<script src="{root}plotly.min.js"></script>' if getattr(p, 'plotly', False) else ''
        html_ = f'''<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_esc(p.title)} – AVIS</title><link rel="stylesheet" href="{root}style.css">{plotly}</head>
<body><div class="layout">
<aside class="sidebar"><a class="brand" href="{root}index.html">AVIS</a><p class="tagline">{_esc(site_desc[:120].rsplit(' ', 1)[0] + '…' if len(site_desc) > 120 else site_desc)}</p>
{self.nav_html(p, ordered)}</aside>
<main class="content" id="top"><header><h1 class="title">{_esc(p.title)}</h1>{f'<p class="lead">{self.render_md(p.desc, p, inline=True)}</p>' if p.desc else ''}</header>
{p.body}
{pager}</main></div></body></html>
'''
        dest = self.out/p.url
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(html_)

    def build(self):
        import matplotlib; matplotlib.use('Agg')   # the library modules import pyplot; never open a window
        self.collect_symbols()
        self.pending = []
        for p in sorted(self.pages.values(), key=lambda p: p.order):
            p.plotly = False
            (self.build_nb if p.kind == 'ipynb' else self.build_md)(p)
        while self.pending:                                # repository markdown pages found through links
            p = self.pending.pop(0); p.plotly = False; self.build_md(p)
        self.home = self.pages.get((NBS/'index.ipynb').resolve())
        gorder = {g: i for i, g in enumerate(['', *[g for _, g in GROUPS]])}
        ordered = sorted(self.pages.values(), key=lambda p: (gorder.get(p.group, 50 if p.group != 'Reports' else 60), p.order))
        if self.out.exists(): shutil.rmtree(self.out)
        self.out.mkdir(parents=True)
        for i, p in enumerate(ordered): self.write_page(p, ordered, i)
        for dest, src in self.assets.items():
            d = self.out/dest
            d.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(src, bytes): d.write_bytes(src)
            else: shutil.copyfile(src, d)
        (self.out/'style.css').write_text(CSS + HtmlFormatter(style='friendly').get_style_defs('.highlight'))
        if self.plotly:
            import plotly
            shutil.copyfile(Path(plotly.__file__).parent/'package_data'/'plotly.min.js', self.out/'plotly.min.js')
        return ordered

# ---------------------------------------------------------------- check
# Not `avis.report.check_report`: that one checks a single report page for an offline reader (every img/iframe/link
# a local file, nothing from the network, iframes' contents too) and raises on the first kind of fault. The site check
# walks every page, resolves `#anchors` across pages, allows links out to the web (`<a href="https://...">`), and
# must list every problem of a build at once.
class _Refs(HTMLParser):
    def __init__(self):
        super().__init__(); self.refs, self.ids, self.imgs = [], set(), []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get('id'): self.ids.add(a['id'])
        if tag == 'a' and a.get('name'): self.ids.add(a['name'])
        for k in ('href', 'src'):
            if a.get(k) is not None: self.refs.append((tag, k, a[k]))
        if tag == 'img': self.imgs.append(a.get('src'))

def check(out, site):
    out, problems = Path(out), list(site.problems)
    nbs, _ = find_sources()
    for nb in nbs:
        if not (out/page_url(nb)).exists(): problems.append(f'no page for {nb.relative_to(ROOT)}')
    pages = sorted(out.rglob('*.html'))
    parsed = {}
    for f in pages:
        r = _Refs(); r.feed(f.read_text()); parsed[f.resolve()] = r
    imgs, broken = set(), 0
    for f, r in parsed.items():
        for tag, k, url in r.refs:
            sp = urlsplit(url)
            if sp.scheme in ('http', 'https') or url.startswith('//'):
                if k == 'src': problems.append(f'{f.relative_to(out)}: <{tag} src> needs the network: {url}'); broken += 1
                continue
            if sp.scheme: continue                         # mailto:, data:
            target = (f.parent/unquote(sp.path)).resolve() if sp.path else f
            if not target.is_relative_to(out.resolve()) or not target.is_file():
                problems.append(f'{f.relative_to(out)}: broken {k} {url}'); broken += 1; continue
            if tag == 'img': imgs.add(target)
            if sp.fragment and target.suffix == '.html' and sp.fragment not in parsed[target].ids:
                problems.append(f'{f.relative_to(out)}: missing anchor {url}'); broken += 1
    for p in list(dict.fromkeys(problems))[:40]: print('  ' + p)
    if len(set(problems)) > 40: print(f'  ... and {len(set(problems)) - 40} more')
    return not problems, (f'docs: {len(pages)} pages, {len(imgs)} images, {broken} broken links'
                          + (f', {len(problems) - broken} other problems' if len(problems) > broken else ''))

CSS = r'''
:root{--fg:#1f2328;--muted:#59636e;--bg:#fff;--side:#f6f8fa;--line:#d1d9e0;--accent:#0b5cad;--code:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);background:var(--bg);font:16px/1.6 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.layout{display:flex;min-height:100vh}
.sidebar{flex:0 0 270px;background:var(--side);border-right:1px solid var(--line);padding:20px 16px;position:sticky;top:0;height:100vh;overflow-y:auto;font-size:14px}
.brand{font-size:22px;font-weight:700;color:var(--fg)}
.tagline{color:var(--muted);font-size:12.5px;line-height:1.4;margin:4px 0 14px}
.nav,.nav ul{list-style:none;margin:0;padding:0}
.nav .group>span{display:block;margin:14px 0 4px;font-size:11.5px;font-weight:600;letter-spacing:.06em;text-transform:uppercase;color:var(--muted)}
.nav a{display:block;padding:3px 8px;border-radius:5px;color:var(--fg)}
.nav a:hover{background:#e8ecf0;text-decoration:none}
.nav a.active{background:#dde9f7;color:var(--accent);font-weight:600}
.nav .toc{margin:2px 0 6px 10px;border-left:2px solid var(--line)}
.nav .toc a{font-size:13px;color:var(--muted);padding:1px 8px}
.content{flex:1;min-width:0;max-width:980px;padding:28px 48px 60px}
h1.title{font-size:2.1em;margin:0 0 6px;line-height:1.2}
.lead{font-size:1.12em;color:var(--muted);margin:0 0 22px;padding-bottom:16px;border-bottom:1px solid var(--line)}
h2{font-size:1.5em;margin:1.6em 0 .5em;padding-bottom:.2em;border-bottom:1px solid var(--line)}
h3{font-size:1.22em;margin:1.3em 0 .4em}h4{font-size:1.05em}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.88em;background:var(--code);padding:.1em .3em;border-radius:4px}
pre code{background:none;padding:0}
pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:13.5px;line-height:1.45;overflow-x:auto}
.highlight{background:var(--code)!important;border:1px solid var(--line);border-radius:6px}
div.highlight pre{margin:0;padding:10px 14px}
pre.fence{padding:10px 14px}
.md pre:not(.highlight){background:var(--code);border:1px solid var(--line);border-radius:6px;padding:10px 14px}
.cell{margin:14px 0}
.code{position:relative}
.flag{position:absolute;right:6px;top:-9px;background:#fff3cd;border:1px solid #e8d48a;color:#7a5d00;font-size:11px;padding:0 6px;border-radius:8px;margin-left:4px}
.outputs{margin-top:4px;border-left:3px solid #c9d8ea;padding-left:10px}
pre.out{margin:4px 0;padding:6px 10px;background:#fff;max-height:420px;overflow:auto;white-space:pre}
pre.out.stderr{background:#fff8f0}pre.out.error{background:#fdecea;color:#8a1f11}
.out-img img{max-width:100%;height:auto}
.out-html{overflow-x:auto;max-height:520px;overflow-y:auto;margin:4px 0}
table{border-collapse:collapse;margin:12px 0;font-size:14px;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid var(--line);padding:5px 10px;text-align:left;vertical-align:top}
thead th,table.dataframe thead th{background:#eef2f6;font-weight:600}
tbody tr:nth-child(even){background:#f9fafb}
.out-html table{font-size:13px}.out-html th,.out-html td{padding:3px 8px;text-align:right}
.md img{max-width:100%;height:auto}
blockquote{margin:12px 0;padding:2px 16px;color:var(--muted);border-left:4px solid var(--line)}
.api{margin:22px 0 8px;padding:12px 16px;border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:6px;background:#fbfcfd}
.api h4.api-name{margin:0 0 6px;font-size:1.08em}.api h4 code{background:none;padding:0;font-size:1em}
.api h4 a.anchor{color:var(--fg)}
.api pre.sig{margin:6px 0;padding:8px 12px;white-space:pre-wrap}
.api-doc p{margin:6px 0}
table.params{font-size:13.5px}table.params td:first-child{white-space:nowrap}
details.src{margin:6px 0 14px}details.src summary{cursor:pointer;color:var(--muted);font-size:13.5px}
details.src .highlight{margin-top:6px}
.math{font-family:"Cambria Math","STIX Two Math","Latin Modern Math",Georgia,serif;font-style:italic;white-space:nowrap}
.math.display{display:block;text-align:center;margin:10px 0}
a.sym code{color:var(--accent)}
.pager{display:flex;justify-content:space-between;margin-top:48px;padding-top:14px;border-top:1px solid var(--line);gap:16px}
@media (max-width:860px){.layout{display:block}.sidebar{position:static;height:auto;border-right:0;border-bottom:1px solid var(--line)}.content{padding:20px}}
'''

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', default='_docs', help='output folder (default _docs)')
    ap.add_argument('--check', action='store_true', help='build into a temporary folder and verify the site')
    a = ap.parse_args()
    t0 = time.time()
    os.chdir(ROOT)
    warnings.filterwarnings('ignore', category=FutureWarning)   # torch.jit deprecation notes printed on import
    if a.check:
        with tempfile.TemporaryDirectory() as tmp:
            site = Site(Path(tmp)/'site')
            site.build()
            ok, summary = check(site.out, site)
        print(f'{summary} (built and checked in {time.time() - t0:.0f} s)')
        sys.exit(0 if ok else 1)
    site = Site(ROOT/a.out if not Path(a.out).is_absolute() else a.out)
    pages = site.build()
    for p in site.problems: print('  ' + p)
    print(f'docs: {len(pages)} pages written to {site.out} in {time.time() - t0:.0f} s (open {site.out/"index.html"})')
    sys.exit(1 if site.problems else 0)

if __name__ == '__main__': main()
