/*
 |--------------------------------------------------------------------------
 | Browser-sync config file (the user's own, trimmed from what `browser-sync init` writes)
 |--------------------------------------------------------------------------
 | Serves ./public and live-reloads the pages it serves over Socket.IO
 | (path /browser-sync/socket.io, namespace /browser-sync). The port is given on the command
 | line (`--port`); the UI, the browser opening, the in-page notifications and the online check
 | are off, as on a headless CI box; it listens on 127.0.0.1 only.
 */
module.exports = {
    server: "public",
    files: false,
    listen: "127.0.0.1",
    ui: false,
    open: false,
    notify: false,
    online: false,
    ghostMode: {clicks: true, forms: true, scroll: true},
    logLevel: "info"
};
