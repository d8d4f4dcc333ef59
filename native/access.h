// The engine's access configuration, given to it at boot (see access.cpp).
#pragma once

#include <string>

namespace chffi {

// The "--config-file=..." argument that gives the engine our users configuration, or "" with
// a message in `why` when it could not be prepared (connecting must then fail: without it SQL
// could stop the host process).
std::string access_config_option(std::string & why);

} // namespace chffi
