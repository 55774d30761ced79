"""One self-contained, offline HTML page for a counterexample.

The page has a step timeline, the program's source beside it (from the
trace's ``#meta.sources``) with every actor's current line marked at the
selected step (read from the view: ``"G2 main.go:14 ..."``) and the step's own
line highlighted, for a deadlock or leak the waits-for cycle or chain drawn as
a graph with its sentence (`checker.view.waits`), per-actor swimlanes (goroutines, Ps, channels,
locks) with send-to-receive arrows in SVG, a state tree with added / modified /
deleted marks and a hide-unchanged switch, keyboard stepping (arrow keys,
``j``/``k``) and ``#step=N`` deep links.

Safety: the trace is embedded as JSON in a ``<script type="application/json">``
with ``<``, ``>`` and ``&`` escaped as ``\\u003c`` etc., so no string from a
spec or program can close the script element; the page script renders every
datum with ``textContent`` and ``createElement``, never ``innerHTML``.  The
file references no URL at all (even the SVG namespace is taken from the
inline ``<svg>`` element).
"""

from __future__ import annotations

import json
import re
from typing import Any

from checker.files import atomic_write
from checker.trace import Counterexample
from checker.view.analysis import LassoStory, analyze, lanes
from checker.view.diff import step_changes
from checker.view.text import Options, header_rows
from checker.view.waits import KINDS as WAIT_KINDS
from checker.view.waits import waits_graph

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#1d2330;background:#f6f7f9}
header{padding:10px 16px;background:#fff;border-bottom:1px solid #d9dde3}
header h1{font-size:16px;margin:0 0 6px}
header dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
header dt{color:#667085}header dd{margin:0;white-space:pre-wrap}
main{display:grid;grid-template-columns:minmax(260px,30%) minmax(240px,28%) 1fr;height:calc(100vh - 10px);min-height:400px}
main.no-source{grid-template-columns:minmax(280px,38%) 1fr}main.no-source #source-pane{display:none}
#source-pane{overflow:auto;border-right:1px solid #d9dde3;background:#fff}
#source-pane h2{font-size:12px;margin:0;padding:4px 8px;background:#f0f1f3;position:sticky;top:0}
.src-line{display:grid;grid-template-columns:3em 5em 1fr;white-space:pre;font-size:12px}
.src-line .ln{text-align:right;color:#98a2b3;padding-right:6px}.src-line .gs{color:#3538cd;font-weight:bold;overflow:hidden}
.src-line.here{background:#eef4ff}.src-line.acted{background:#fef0c7}
#waits{margin:4px 0 10px}#waits p{margin:2px 0;color:#b42318}
#waits svg .wnode-actor{fill:#dbe8ff;stroke:#3538cd}#waits svg .wnode-object{fill:#fef0c7;stroke:#b54708}
#waits svg .wedge{stroke:#667085;stroke-width:1.2;fill:none}#waits svg .wedge.cycle{stroke:#d92d20;stroke-width:2.5}
#timeline-pane{overflow:auto;border-right:1px solid #d9dde3;background:#fff}
#timeline{list-style:none;margin:0;padding:0}
.step{display:grid;grid-template-columns:14px 14px 3em 7em 1fr;gap:4px;padding:3px 8px;cursor:pointer;border-bottom:1px solid #f0f1f3}
.step:hover{background:#eef4ff}.step.current{background:#dbe8ff;outline:1px solid #7aa2f7}
.step .loop{color:#b42318;font-weight:bold}.step .mark{color:#667085}
.step .num{text-align:right;color:#667085}.step .actor{color:#3538cd;overflow:hidden;text-overflow:ellipsis}
.step .nchg{color:#667085;font-size:11px;grid-column:5}
.step.in-loop{border-left:3px solid #b42318}
.back{padding:4px 8px;color:#b42318;font-weight:bold}
#right{display:grid;grid-template-rows:auto 1fr;overflow:hidden}
#lanes-pane{overflow:auto;max-height:45vh;border-bottom:1px solid #d9dde3;background:#fff}
#state-pane{overflow:auto;padding:8px 16px}
#state-pane h2{font-size:14px;margin:4px 0}
svg text{font:11px ui-monospace,monospace;fill:#1d2330}
svg .lifeline{stroke:#c4c9d2;stroke-dasharray:3 3}
svg .lane-actor{fill:#3538cd;font-weight:bold}svg .lane-chan{fill:#027a48;font-weight:bold}svg .lane-lock{fill:#b54708;font-weight:bold}
svg .rowsel{fill:#dbe8ff}svg .loopband{fill:#fef3f2}
svg .dot{fill:#3538cd}svg .msg{stroke:#027a48;stroke-width:1.5;fill:none}svg .lockop{stroke:#b54708;stroke-width:1.5}
svg .tick{stroke:#667085}
ul.tree{list-style:none;margin:0;padding-left:16px}ul.tree.root{padding-left:0}
.tree li{margin:1px 0}.tree .key{color:#3538cd}.tree .val{color:#1d2330}
.tree .added>.key,.tree .added>.val{background:#dcfae6}.tree .modified>.val{background:#fef0c7}
.tree .deleted{text-decoration:line-through;color:#b42318}
.tree .badge{font-size:10px;padding:0 4px;margin-left:6px;border-radius:3px;color:#fff}
.tree .added>.badge{background:#079455}.tree .modified>.badge{background:#dc6803}.tree .deleted>.badge{background:#d92d20}
.tree .old{color:#667085;margin-left:6px}
.hide-unchanged li.unchanged{display:none}
.controls{display:flex;gap:12px;align-items:center;margin-bottom:6px}
kbd{border:1px solid #c4c9d2;border-radius:3px;padding:0 3px;background:#fff}
"""

_JS = r"""
(function(){
'use strict';
var data = JSON.parse(document.getElementById('trace-data').textContent);
var steps = data.steps, n = steps.length - 1, current = -1;
function el(tag, cls, text){var e=document.createElement(tag); if(cls) e.className=cls;
  if(text!==undefined && text!==null) e.textContent=String(text); return e;}
document.title = 'gocheck: ' + data.property + ' violated';
var h = document.getElementById('title'); h.textContent = data.property + ' violated';
var dl = document.getElementById('summary');
data.header.forEach(function(r){dl.appendChild(el('dt', null, r[0])); dl.appendChild(el('dd', null, r[1]));});
var tl = document.getElementById('timeline');
steps.forEach(function(s){
  var li = el('li', 'step'); li.setAttribute('data-step', s.i); li.id = 'step-' + s.i;
  var inLoop = data.loop !== null && s.i > data.loop;
  if(inLoop) li.classList.add('in-loop');
  li.appendChild(el('span', 'loop', data.loop !== null && s.i === data.loop + 1 ? '\u250c' : inLoop ? '\u2502' : ''));
  li.appendChild(el('span', 'mark', s.mark ? '~' : ''));
  li.appendChild(el('span', 'num', s.i));
  li.appendChild(el('span', 'actor', s.actor));
  var act = s.i === 0 ? 'initial state' : s.action + (s.position && s.action.indexOf(s.position) < 0 ? '  (' + s.position + ')' : '');
  li.appendChild(el('span', 'action', act));
  li.appendChild(el('span', 'nchg', s.i === 0 ? '' : s.changes.length + ' change' + (s.changes.length === 1 ? '' : 's')));
  li.title = s.changes.map(function(c){return c.text;}).join('\n');
  li.addEventListener('click', function(){ select(s.i); });
  tl.appendChild(li);
});
if(data.loop !== null){ tl.parentNode.appendChild(el('div', 'back', '\u2514 back to step ' + data.loop)); }

// swimlanes
var svg = document.getElementById('lanes'), NS = svg.namespaceURI;
function sv(tag, attrs, text){var e=document.createElementNS(NS, tag); for(var k in attrs) e.setAttribute(k, attrs[k]);
  if(text!==undefined) e.textContent=String(text); return e;}
var LW = 110, X0 = 70, Y0 = 36, RH = 22, laneX = {};
data.lanes.forEach(function(l, k){ laneX[l[1] + ':' + l[0]] = X0 + k * LW; });
var W = X0 + Math.max(1, data.lanes.length) * LW, H = Y0 + (n + 1) * RH + 10;
svg.setAttribute('width', W); svg.setAttribute('height', H);
var defs = sv('defs', {}); var mk = sv('marker', {id:'head', viewBox:'0 0 10 10', refX:'9', refY:'5', markerWidth:'7', markerHeight:'7', orient:'auto-start-reverse'});
mk.appendChild(sv('path', {d:'M0,0 L10,5 L0,10 z', fill:'#027a48'})); defs.appendChild(mk); svg.appendChild(defs);
if(data.loop !== null) svg.appendChild(sv('rect', {'class':'loopband', x:0, y:Y0 + (data.loop + 0.5) * RH, width:W, height:(n - data.loop) * RH}));
var sel = sv('rect', {'class':'rowsel', x:0, y:0, width:W, height:RH}); svg.appendChild(sel);
data.lanes.forEach(function(l){ var x = laneX[l[1] + ':' + l[0]];
  svg.appendChild(sv('line', {'class':'lifeline', x1:x, y1:Y0 - 8, x2:x, y2:H}));
  var t = sv('text', {'class':'lane-' + l[1], x:x, y:16, 'text-anchor':'middle'}, l[1] === 'chan' ? 'chan ' + l[0] : l[1] === 'lock' ? 'lock ' + l[0] : l[0]);
  svg.appendChild(t); });
function rowY(i){ return Y0 + i * RH; }
for(var i = 1; i <= n; i++){
  var ry = rowY(i), g = sv('g', {'data-row': i});
  g.appendChild(sv('text', {x:8, y:ry + 4}, i));
  g.addEventListener('click', (function(k){ return function(){ select(k); }; })(i));
  svg.appendChild(g);
}
data.events.forEach(function(e){
  var ax = laneX['actor:' + e.actor], y = rowY(e.step);
  if(ax === undefined) return;
  var rx = laneX[(e.kind === 'lock' || e.kind === 'unlock' ? 'lock:' : 'chan:') + e.obj];
  if(rx !== undefined && e.kind !== 'other' && e.kind !== 'spawn'){
    svg.appendChild(sv('line', {'class':(e.kind === 'lock' || e.kind === 'unlock') ? 'lockop' : 'tick', x1:ax, y1:y, x2:rx, y2:y, 'stroke-dasharray': e.blocked ? '2 3' : 'none'}));
    var word = e.blocked ? 'waits' : {lock:'acquire', unlock:'release', close:'close'}[e.kind];
    if(word) svg.appendChild(sv('text', {x:rx + 6, y:y + 4}, word));
  }
  svg.appendChild(sv('circle', {'class':'dot', cx:ax, cy:y, r:e.blocked ? 3 : 4}));
});
data.messages.forEach(function(m){
  if(m.recv_step === null) return;
  var sx = laneX['actor:' + m.sender], rx = laneX['actor:' + m.receiver], cx = laneX['chan:' + m.chan];
  if(sx === undefined || rx === undefined) return;
  var y1 = rowY(m.send_step), y2 = rowY(m.recv_step);
  var p = sv('path', {'class':'msg', d:'M' + sx + ',' + y1 + ' L' + rx + ',' + (y2 === y1 ? y2 : y2 - 3), 'marker-end':'url(#head)'});
  p.appendChild(sv('title', {}, '#' + m.id + ' via ' + m.chan + ': ' + m.sender + ' (step ' + m.send_step + ') -> ' + m.receiver + ' (step ' + m.recv_step + ')'));
  svg.appendChild(p);
  if(cx !== undefined) svg.appendChild(sv('text', {x:cx + 6, y:y2 + 4}, '#' + m.id));
});

// state tree
var tree = document.getElementById('tree');
function isObj(v){ return v !== null && typeof v === 'object'; }
function same(a, b){ return JSON.stringify(a) === JSON.stringify(b); }
function show(v){ return JSON.stringify(v); }
function node(key, v, old, status){
  var li = el('li', status); li.appendChild(el('span', 'key', key));
  if(isObj(v) && status !== 'deleted'){
    li.appendChild(el('span', 'val', Array.isArray(v) ? ' [' + v.length + ']' : ' {}'));
    if(status !== 'unchanged' && status !== 'added') li.classList.add('has-change');
    li.appendChild(children(v, isObj(old) && status !== 'added' ? old : null, status === 'added'));
  } else {
    li.appendChild(el('span', 'val', ': ' + show(status === 'deleted' ? old : v)));
    if(status === 'modified') li.appendChild(el('span', 'old', 'was ' + show(old)));
  }
  if(status === 'added' || status === 'modified' || status === 'deleted') li.appendChild(el('span', 'badge', status));
  return li;
}
function children(v, old, allAdded){
  var ul = el('ul', 'tree'), keys = Array.isArray(v) ? v.map(function(_, k){ return k; }) : Object.keys(v);
  keys.forEach(function(k){
    var has = old !== null && (Array.isArray(old) ? k < old.length : Object.prototype.hasOwnProperty.call(old, k));
    var o = has ? old[k] : undefined, st = allAdded || (old !== null && !has) ? 'added' : old === null || same(o, v[k]) ? 'unchanged' : 'modified';
    if(st === 'modified' && isObj(v[k]) && isObj(o) && Array.isArray(v[k]) === Array.isArray(o)) st = 'changed';
    ul.appendChild(node(Array.isArray(v) ? '[' + k + ']' : k, v[k], o, st));
  });
  if(isObj(old)){
    var okeys = Array.isArray(old) ? old.map(function(_, k){ return k; }) : Object.keys(old);
    okeys.forEach(function(k){
      var gone = Array.isArray(v) ? k >= v.length : !Object.prototype.hasOwnProperty.call(v, k);
      if(gone) ul.appendChild(node(Array.isArray(old) ? '[' + k + ']' : k, undefined, old[k], 'deleted'));
    });
  }
  return ul;
}
function renderState(i){
  while(tree.firstChild) tree.removeChild(tree.firstChild);
  var ul = children(steps[i].view, i > 0 ? steps[i - 1].view : null, false); ul.classList.add('root');
  tree.appendChild(ul);
}
// source beside the steps: every actor's current line, the step's own line
var srcPane = document.getElementById('source-pane'), srcLines = {};
var files = Object.keys(data.sources || {});
if(!files.length) document.querySelector('main').classList.add('no-source');
files.forEach(function(f){
  srcPane.appendChild(el('h2', null, f)); srcLines[f] = [];
  data.sources[f].split('\n').forEach(function(t, k){
    var row = el('div', 'src-line'); row.setAttribute('data-line', k + 1);
    row.appendChild(el('span', 'ln', k + 1)); var gs = el('span', 'gs', ''); row.appendChild(gs);
    row.appendChild(el('code', null, t)); srcPane.appendChild(row); srcLines[f].push([row, gs]);
  });
});
function base(f){ var k = f.lastIndexOf('/'); return k < 0 ? f : f.slice(k + 1); }
function srcRow(file, line){
  var rows = srcLines[file] || srcLines[files.filter(function(f){ return base(f) === base(file); })[0]];
  return rows && line >= 1 && line <= rows.length ? rows[line - 1] : null;
}
function renderSource(i){
  files.forEach(function(f){ srcLines[f].forEach(function(r){ r[0].classList.remove('here', 'acted'); r[1].textContent = ''; }); });
  var at = {}, first = null;
  Object.keys(steps[i].lines).forEach(function(a){
    var fl = steps[i].lines[a], r = srcRow(fl[0], fl[1]); if(!r) return;
    r[0].classList.add('here'); r[1].textContent = (r[1].textContent ? r[1].textContent + ' ' : '') + a;
    r[0].title = r[1].textContent + ' here after step ' + i;
  });
  var pos = /^(.*):(\d+)(?::\d+)?$/.exec(steps[i].position || '');
  if(pos){ var r = srcRow(pos[1], parseInt(pos[2], 10)); if(r){ r[0].classList.add('acted'); first = r[0]; } }
  if(first && first.scrollIntoView) first.scrollIntoView({block:'nearest'});
}

// waits-for graph of a deadlock or leak
(function(){
  var w = data.waits, box = document.getElementById('waits');
  if(!w) return;
  box.appendChild(el('h2', null, 'Waits-for ' + (w.cycle.length ? 'cycle' : 'chain') + ' at the end'));
  w.sentences.forEach(function(t){ box.appendChild(el('p', null, t)); });
  var N = w.nodes.length, R = Math.max(60, 28 * N), cx = R + 70, cy = R + 30, pos = {};
  var g = sv('svg', {width: 2 * cx, height: 2 * cy, id: 'waits-graph'});
  var d = sv('defs', {}), m2 = sv('marker', {id:'whead', viewBox:'0 0 10 10', refX:'10', refY:'5', markerWidth:'9', markerHeight:'9', markerUnits:'userSpaceOnUse', orient:'auto'});
  m2.appendChild(sv('path', {d:'M0,0 L10,5 L0,10 z', fill:'#667085'})); d.appendChild(m2); g.appendChild(d);
  w.nodes.forEach(function(n, k){ var a = 2 * Math.PI * k / N - Math.PI / 2; pos[n[0]] = [cx + R * Math.cos(a), cy + R * Math.sin(a)]; });
  w.edges.forEach(function(e){
    var p = pos[e[0]], q = pos[e[1]], dx = q[0] - p[0], dy = q[1] - p[1], L = Math.sqrt(dx * dx + dy * dy) || 1;
    var x1 = p[0] + dx * 22 / L, y1 = p[1] + dy * 22 / L, x2 = q[0] - dx * 24 / L, y2 = q[1] - dy * 24 / L;
    var line = sv('line', {'class':'wedge' + (e[3] ? ' cycle' : ''), x1:x1, y1:y1, x2:x2, y2:y2, 'marker-end':'url(#whead)', 'data-edge': e[0] + '->' + e[1]});
    line.appendChild(sv('title', {}, e[0] + ' -> ' + e[1] + ': ' + e[2])); g.appendChild(line);
    g.appendChild(sv('text', {x:(x1 + x2) / 2 + 4, y:(y1 + y2) / 2 - 4}, e[2]));
  });
  w.nodes.forEach(function(n){
    var p = pos[n[0]], grp = sv('g', {'data-node': n[0]});
    grp.appendChild(sv('ellipse', {'class':'wnode-' + n[1], cx:p[0], cy:p[1], rx:Math.max(22, 4 * n[0].length), ry:16}));
    grp.appendChild(sv('text', {x:p[0], y:p[1] + 4, 'text-anchor':'middle'}, n[0])); g.appendChild(grp);
  });
  box.appendChild(g);
})();

var hide = document.getElementById('hide-unchanged');
hide.addEventListener('change', function(){ tree.classList.toggle('hide-unchanged', hide.checked); });

function select(i){
  i = Math.max(0, Math.min(n, i|0));
  if(current >= 0){ var old = document.getElementById('step-' + current); old.classList.remove('current'); old.removeAttribute('aria-current'); }
  current = i;
  var li = document.getElementById('step-' + i); li.classList.add('current'); li.setAttribute('aria-current', 'step');
  if(li.scrollIntoView) li.scrollIntoView({block:'nearest'});
  sel.setAttribute('y', rowY(i) - RH / 2);
  document.getElementById('current-step').textContent = 'Step ' + i + ' of ' + n + (i === 0 ? ': initial state' : ': ' + steps[i].action);
  renderState(i);
  renderSource(i);
  renderHeap(i);
  var h = '#step=' + i;
  if(location.hash !== h){ try { history.replaceState(null, '', h); } catch(err) { location.hash = h; } }
}
var FILL = {white:'#ffffff', grey:'#9aa3ae', black:'#1d2330', freed:'#f3c7c7'};
function renderHeap(i){
  var box = document.getElementById('heap'); box.textContent = '';
  var h = data.heaps[i]; if(!h) return;
  var N = h.nodes.length, W = 360, H = 220, cx = W / 2, cy = H / 2, R = Math.min(cx, cy) - 28, pos = {};
  var svg = document.getElementById('lanes').cloneNode(false); svg.removeAttribute('id');
  svg.setAttribute('width', W); svg.setAttribute('height', H); svg.setAttribute('class', 'heap');
  h.nodes.forEach(function(nd, k){ var a = 2 * Math.PI * k / Math.max(N, 1) - Math.PI / 2;
    pos[nd[0]] = [cx + R * Math.cos(a), cy + R * Math.sin(a)]; });
  h.edges.forEach(function(e){ var a = pos[e[0]], b = pos[e[1]]; if(!a || !b) return;
    svg.appendChild(sv('line', {x1:a[0], y1:a[1], x2:b[0], y2:b[1], stroke:'#667085', 'stroke-width':1})); });
  h.nodes.forEach(function(nd){ var p = pos[nd[0]], root = nd[1] === 'root';
    var c = sv(root ? 'rect' : 'circle', root ? {x:p[0] - 16, y:p[1] - 9, width:32, height:18, fill:'#e8f0fe', stroke:'#1d2330'}
                                              : {cx:p[0], cy:p[1], r:13, fill:FILL[nd[1]] || '#fff', stroke:'#1d2330',
                                                 'stroke-dasharray': nd[1] === 'freed' ? '3 2' : ''});
    c.appendChild(sv('title', {}, nd[0] + ': ' + nd[1])); svg.appendChild(c);
    svg.appendChild(sv('text', {x:p[0], y:p[1] + (root ? 26 : 28), 'text-anchor':'middle', 'font-size':10}, nd[0])); });
  box.appendChild(el('h3', null, 'heap: white, grey, black objects (dashed: freed)'));
  box.appendChild(svg);
}
function fromHash(){ var m = /step=(\d+)/.exec(location.hash); return m ? parseInt(m[1], 10) : 0; }
window.addEventListener('hashchange', function(){ var k = fromHash(); if(k !== current) select(k); });
document.addEventListener('keydown', function(ev){
  if(ev.target && ev.target.tagName === 'INPUT') return;
  var k = ev.key;
  if(k === 'ArrowDown' || k === 'ArrowRight' || k === 'j'){ select(current + 1); ev.preventDefault(); }
  else if(k === 'ArrowUp' || k === 'ArrowLeft' || k === 'k'){ select(current - 1); ev.preventDefault(); }
  else if(k === 'Home'){ select(0); ev.preventDefault(); } else if(k === 'End'){ select(n); ev.preventDefault(); }
});
select(fromHash());
document.body.setAttribute('data-ready', 'true');
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>gocheck trace</title>
<style>__CSS__</style>
</head><body>
<header><h1 id="title"></h1><dl id="summary"></dl></header>
<main>
<section id="timeline-pane" aria-label="steps"><ol id="timeline"></ol></section>
<section id="source-pane" aria-label="source"></section>
<section id="right">
<div id="lanes-pane" aria-label="swimlanes"><svg id="lanes"></svg></div>
<div id="state-pane">
<div class="controls"><h2 id="current-step"></h2>
<label><input type="checkbox" id="hide-unchanged"> hide unchanged</label>
<span><kbd>j</kbd>/<kbd>k</kbd> or arrow keys to step</span></div>
<div id="waits"></div>
<div id="heap" aria-label="heap colours"></div>
<div id="tree"></div>
</div></section></main>
<script type="application/json" id="trace-data">__DATA__</script>
<script>__JS__</script>
</body></html>
"""


def page_data(cx: Counterexample, story: LassoStory | None = None, marks: list[bool] | None = None) -> dict[str, Any]:
    """Everything the page shows, as plain JSON data."""
    changes = step_changes([s.view for s in cx.steps])
    evs, msgs = analyze(cx)
    sources = cx.meta.get("sources")
    graph = waits_graph(cx) if cx.kind in WAIT_KINDS else None
    return {
        "property": cx.property, "kind": cx.kind, "reason": cx.reason, "loop": cx.loop,
        "header": [list(r) for r in header_rows(cx, story, marks, Options())],
        "steps": [{"i": s.index, "action": s.action or "", "actor": s.actor, "position": s.position,
                   "view": s.view, "lines": current_lines(s.view), "mark": bool(marks and s.index < len(marks) and marks[s.index]),
                   "changes": [dict(c.as_json(), text=str(c)) for c in changes[s.index]]} for s in cx.steps],
        "lanes": [list(x) for x in lanes(cx, evs)],
        "events": [e.as_json() for e in evs],
        "messages": [m.as_json() for m in msgs],
        "sources": {str(k): str(v) for k, v in sources.items()} if isinstance(sources, dict) else {},
        "waits": graph.as_json() if graph is not None else None,
        "heaps": [heap_drawing(s.view) for s in cx.steps],
    }


def heap_drawing(view: dict[str, Any]) -> dict[str, Any] | None:
    """Nodes (name, colour) and edges for a view that carries object colours
    (``colour``: name -> white/grey/black/freed, optionally under ``gc``),
    pointer fields (``heap``: name -> {field: target}) and roots (``globals``,
    ``Gk.stack``); None for a view without colours."""
    src = view.get("gc") if isinstance(view.get("gc"), dict) else view
    colour = src.get("colour") if isinstance(src, dict) else None
    if not isinstance(colour, dict):
        return None
    nodes: list[list[str]] = [[str(k), str(v)] for k, v in colour.items()]
    edges: list[list[str]] = []
    heap = view.get("heap")
    if isinstance(heap, dict):
        for name, fields in heap.items():
            if isinstance(fields, dict):
                edges += [[str(name), str(t)] for t in fields.values() if t is not None]
    roots: dict[str, dict[str, Any]] = {}
    if isinstance(view.get("globals"), dict):
        roots.update({str(k): {"": v} for k, v in view["globals"].items()})
    for k, v in view.items():
        if isinstance(v, dict) and isinstance(v.get("stack"), dict):
            roots[str(k)] = v["stack"]
    for r, slots in roots.items():
        nodes.append([r, "root"])
        edges += [[r, str(t)] for t in slots.values() if t is not None]
    return {"nodes": nodes, "edges": edges}


_AT = re.compile(r"(\S+) (\S+):(\d+)\b")


def current_lines(view: dict[str, Any]) -> dict[str, tuple[str, int]]:
    """Each actor's current source line: a view variable whose value starts with its own name
    and a ``file:line`` (``"G2 main.go:14 ..."``)."""
    out: dict[str, tuple[str, int]] = {}
    for k, v in view.items():
        m = _AT.match(v) if isinstance(v, str) else None
        if m and m.group(1) == k:
            out[k] = (m.group(2), int(m.group(3)))
    return out


def script_json(obj: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` survives."""
    text = json.dumps(obj, ensure_ascii=False, default=str)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_html(cx: Counterexample, story: LassoStory | None = None, marks: list[bool] | None = None) -> str:
    page = _PAGE.replace("__CSS__", _CSS).replace("__JS__", _JS)
    return page.replace("__DATA__", script_json(page_data(cx, story, marks)))


def write_html(cx: Counterexample, out: str, *, model: Any = None, story: LassoStory | None = None,
               marks: list[bool] | None = None) -> str:
    """Write the page to `out` and return the path.  `model` computes the lasso story and marks."""
    if model is not None and story is None and marks is None:
        from checker.view.text import annotate
        story, marks = annotate(cx, model)
    return atomic_write(out, render_html(cx, story, marks))
