// edgegw dashboard: polls the management API (same origin, the browser's basic auth) and
// fills the page; ?refresh=<ms> changes the period (default 2000).
'use strict';
const period = Number(new URLSearchParams(location.search).get('refresh')) || 2000;
const history = [];  // {t, received, sent}
const $ = (id) => document.getElementById(id);

async function get(path) {
  const r = await fetch('/api/v5/' + path, {credentials: 'same-origin'});
  if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
  return r.json();
}

function fill(id, rows, cells) {
  const body = $(id).querySelector('tbody');
  body.replaceChildren();
  if (!rows.length) {
    const td = document.createElement('td');
    td.colSpan = $(id).querySelectorAll('th').length;
    td.className = 'empty';
    td.textContent = 'none';
    body.appendChild(document.createElement('tr')).appendChild(td);
    return;
  }
  for (const row of rows) {
    const tr = body.appendChild(document.createElement('tr'));
    for (const v of cells(row)) tr.appendChild(document.createElement('td')).textContent =
        v === null || v === undefined ? '-' : String(v);
  }
}

function uptime(ms) {
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400); s %= 86400;
  const h = Math.floor(s / 3600); s %= 3600;
  const m = Math.floor(s / 60); s %= 60;
  return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + m + 'm ' + s + 's';
}

function chart() {
  const c = $('rates'), g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  if (history.length < 2) return;
  const rates = [];
  for (let i = 1; i < history.length; i++) {
    const dt = (history[i].t - history[i - 1].t) / 1000 || 1;
    rates.push([(history[i].received - history[i - 1].received) / dt,
                (history[i].sent - history[i - 1].sent) / dt]);
  }
  const max = Math.max(1, ...rates.flat());
  const x = (i) => (i / Math.max(1, rates.length - 1)) * (c.width - 10) + 5;
  const y = (v) => c.height - 5 - (v / max) * (c.height - 20);
  [['#2a9d8f', 0], ['#e76f51', 1]].forEach(([color, k]) => {
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    rates.forEach((r, i) => (i ? g.lineTo(x(i), y(r[k])) : g.moveTo(x(i), y(r[k]))));
    g.stroke();
  });
  g.fillStyle = '#666'; g.fillText(max.toFixed(1) + '/s', 5, 12);
}

async function refresh() {
  try {
    const [nodes, stats, metrics, clients, subs, bridges, gateways] = await Promise.all([
      get('nodes'), get('stats?aggregate=true'), get('metrics?aggregate=true'),
      get('clients?limit=1000'), get('subscriptions?limit=1000'), get('bridges'),
      get('gateways')]);
    const n = nodes[0];
    $('node').textContent = n.node;
    $('version').textContent = n.version;
    $('uptime').textContent = uptime(n.uptime);
    $('connections').textContent = stats['connections.count'];
    $('sessions').textContent = stats['sessions.count'];
    $('subscriptions').textContent = stats['subscriptions.count'];
    $('retained').textContent = stats['retained.count'];
    $('received').textContent = metrics['messages.received'];
    $('sent').textContent = metrics['messages.sent'];
    $('dropped').textContent = metrics['messages.dropped'];
    history.push({t: Date.now(), received: metrics['messages.received'],
                  sent: metrics['messages.sent']});
    if (history.length > 60) history.shift();
    chart();
    fill('clients', clients.data, (c) => [c.clientid, c.username, c.proto_name + ' ' +
        c.proto_ver, c.ip_address, c.connected ? 'yes' : 'no', c.subscriptions_cnt,
        c.mqueue_len]);
    fill('subs', subs.data, (s) => [s.clientid, s.topic, s.qos]);
    fill('bridges', bridges, (b) => [b.name, b.type, b.status]);
    fill('gateways', gateways, (g) => [g.name, g.status, g.current_connections]);
    $('error').hidden = true;
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  } catch (e) {
    $('error').hidden = false;
    $('error').textContent = String(e);
  }
}

refresh();
setInterval(refresh, period);
