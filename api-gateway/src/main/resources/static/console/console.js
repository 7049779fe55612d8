// vmplane's browser console: opens one VM's console with noVNC (VNC) or spice-html5 (SPICE).
//
// The page is opened with a VM's ConsoleInfo in the URL *fragment*, which browsers never send to a server:
//   /api/v1/console/index.html#vm_id=<id>&protocol=vnc|spice&ws_url=<ws_url, URL-encoded>
// ws_url is the one GET …/{id}/console returned; it carries the one-time, short-lived console token. The page drops
// the fragment from the address bar and the history entry before connecting. It never asks for a bearer token.
//
// Everything shown on the page (VM id, desktop name, status, close reasons) is set as text, never as HTML.

const VM_ID = /^vm-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN = /^[A-Za-z0-9_-]{22,}$/;
const PROTOCOLS = ['vnc', 'spice'];

const screen = document.getElementById('screen');
const ctrlAltDel = document.getElementById('ctrl-alt-del');
const disconnect = document.getElementById('disconnect');

/** The page's state, for people (the status line) and for tests (body[data-state]). */
function show(state, text) {
    document.body.dataset.state = state;
    document.getElementById('status').textContent = text;
}

/**
 * The console to open, from the fragment's parameters; throws an Error whose message says what is wrong.
 * A relative ws_url is taken relative to this page (http → ws, https → wss).
 */
export function parseFragment(fragment, pageUrl) {
    const params = new URLSearchParams(fragment.replace(/^#/, ''));
    const vmId = params.get('vm_id') || '';
    const protocol = params.get('protocol') || '';
    const wsText = params.get('ws_url') || '';
    if (!VM_ID.test(vmId)) {
        throw new Error('vm_id is missing or not a VM id');
    }
    if (!PROTOCOLS.includes(protocol)) {
        throw new Error('protocol must be vnc or spice');
    }
    let url;
    try {
        url = new URL(wsText, pageUrl);
    } catch (e) {
        throw new Error('ws_url is not a URL');
    }
    if (url.protocol === 'http:' || url.protocol === 'https:') {
        url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
        throw new Error('ws_url must be a ws: or wss: URL');
    }
    if (url.username || url.password) {
        throw new Error('ws_url must not carry credentials');
    }
    if (!TOKEN.test(url.searchParams.get('token') || '')) {
        throw new Error('ws_url carries no console token');
    }
    return {vmId, protocol, url: url.href};
}

/** "code reason" of a WebSocket close, e.g. "4401 TOKEN_INVALID: …"; the reason is the server's text. */
function closeText(event) {
    return event.reason ? `${event.code} ${event.reason}` : `${event.code}`;
}

/**
 * Shows how a console socket ends. A refusal before the upgrade (an unknown, used or expired token, a foreign
 * Origin, a busy console) reaches a page only as code 1006, without the HTTP answer: say what it usually means.
 */
function watchClose(socket) {
    let opened = false;
    socket.addEventListener('open', () => {
        opened = true;
    });
    socket.addEventListener('close', event => {
        if (!opened) {
            show('error', `refused (${closeText(event)}): the console token may be used, expired or another VM's, `
                + 'or the console busy; ask for a new console link');
        } else if (document.body.dataset.state !== 'error') {
            show('disconnected', `closed: ${closeText(event)}`);
        }
    });
}

async function openVnc(target) {
    const {default: RFB} = await import('./vendor/novnc/core/rfb.js');
    // Our own socket, so the close code and reason can be shown; no subprotocol, as noVNC itself offers none.
    const socket = new WebSocket(target.url);
    watchClose(socket);
    const rfb = new RFB(screen, socket, {shared: true});
    rfb.scaleViewport = false;
    rfb.resizeSession = false;
    rfb.addEventListener('connect', () => show('connected', 'connected'));
    rfb.addEventListener('desktopname', event => {
        document.getElementById('desktop').textContent = event.detail.name;
    });
    rfb.addEventListener('securityfailure', event => {
        show('error', `security failure: ${event.detail.reason || event.detail.status}`);
    });
    rfb.addEventListener('credentialsrequired', () => {
        show('error', 'the VNC server asks for credentials the console proxy should have supplied');
        rfb.disconnect();
    });
    ctrlAltDel.onclick = () => rfb.sendCtrlAltDel();
    disconnect.onclick = () => rfb.disconnect();
}

async function openSpice(target) {
    const Spice = await import('./vendor/spice-html5/src/main.js');
    // spice-html5 opens one socket per channel on this URL, each offering the "binary" subprotocol.
    let connection;
    connection = new Spice.SpiceMainConn({
        uri: target.url,
        screen_id: 'screen',
        onsuccess: () => show('connected', 'connected'),
        onerror: error => {
            show('error', `error: ${error && error.message ? error.message : 'connection failed'}`);
            if (connection) {
                connection.stop();
            }
        },
    });
    watchClose(connection.ws);
    ctrlAltDel.onclick = () => Spice.sendCtrlAltDel(connection);
    disconnect.onclick = () => {
        connection.stop();
        show('disconnected', 'disconnected');
    };
}

async function main() {
    const fragment = location.hash;
    // The fragment holds the console token: out of the address bar and the history entry before anything else.
    history.replaceState(null, '', location.pathname + location.search);
    let target;
    try {
        target = parseFragment(fragment, location.href);
    } catch (e) {
        show('error', `cannot open a console: ${e.message}`);
        return;
    }
    document.getElementById('vm').textContent = target.vmId;
    document.getElementById('protocol').textContent = target.protocol;
    document.title = `${target.vmId} console`;
    show('connecting', 'connecting');
    ctrlAltDel.disabled = false;
    disconnect.disabled = false;
    try {
        await (target.protocol === 'vnc' ? openVnc(target) : openSpice(target));
    } catch (e) {
        show('error', `error: ${e.message}`);
    }
}

// Another console opened in this tab changes only the fragment: start afresh with it.
window.addEventListener('hashchange', () => location.reload());

main();
