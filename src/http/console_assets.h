// http/console_assets.h — the console's own script and style sheet (no
// build step, no framework): the overview chart is drawn by Chart.js from
// /console/api/history.
// Thread-safety: constants.
#ifndef SENDGUARD_HTTP_CONSOLE_ASSETS_H_
#define SENDGUARD_HTTP_CONSOLE_ASSETS_H_

namespace sendguard::http {

extern const char* const kConsoleJs;
extern const char* const kConsoleCss;

}  // namespace sendguard::http

#endif  // SENDGUARD_HTTP_CONSOLE_ASSETS_H_
