// The engine's access configuration, given to it at boot (see access.cpp).
#pragma once

#include <string>
#include <vector>

namespace chffi {

// The boot arguments of every connection: "--config-file=..." (our users configuration) and the
// UDF script directory; none, with a message in `why`, when they could not be prepared
// (connecting must then fail: without them SQL could stop the host process).
std::vector<std::string> access_options(std::string & why);

} // namespace chffi
