// Decoder for the ABI's "string list": entries of a little-endian uint32 length plus bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace chffi {

// Appends the entries of [data, data + len) to out; false if the buffer is malformed.
inline bool decode_string_list(const uint8_t * data, size_t len, std::vector<std::string_view> & out) {
    size_t pos = 0;
    while (pos < len) {
        if (len - pos < 4)
            return false;
        uint32_t n;
        std::memcpy(&n, data + pos, 4); // the shim only targets little-endian machines
        pos += 4;
        if (len - pos < n)
            return false;
        out.emplace_back(reinterpret_cast<const char *>(data + pos), n);
        pos += n;
    }
    return true;
}

} // namespace chffi
