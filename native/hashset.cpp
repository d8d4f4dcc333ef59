// The C ABI of the string set: lifetime, single-key operations, export, save and load.
#include "boundary.h"
#include "chdb_ffi.h"
#include "hashset.h"
#include "hashset_handle.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <fcntl.h>
#include <mutex>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

struct chffi_bytes {
    std::vector<uint8_t> data;
};

namespace chffi {
namespace {

std::string_view key_of(const uint8_t * key, size_t len) {
    return {reinterpret_cast<const char *>(key), key == nullptr ? 0 : len};
}

// File format, version 1 (all integers little-endian):
//   header  "CHFFISET" | u32 version | u32 flags (0) | u64 key count | u64 payload bytes
//   payload key count records, each u32 length + bytes
//   trailer u64 checksum of header and payload
constexpr char kMagic[8] = {'C', 'H', 'F', 'F', 'I', 'S', 'E', 'T'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderSize = 32;
constexpr size_t kTrailerSize = 8;
constexpr uint64_t kChecksumSeed = 0x63686666692d7365ull; // fixed: files must verify on any machine
constexpr size_t kChecksumChunk = 64 * 1024;

// The checksum hashes the file in fixed 64 KiB pieces and folds the piece hashes together.
class Checksum {
public:
    void add(const uint8_t * p, size_t n) {
        while (n > 0) {
            size_t take = std::min(n, kChecksumChunk - pending_.size());
            pending_.insert(pending_.end(), p, p + take);
            p += take;
            n -= take;
            if (pending_.size() == kChecksumChunk) flush();
        }
    }
    uint64_t finish() {
        if (!pending_.empty()) flush();
        return fold_multiply(state_ ^ kMixC, total_ ^ kMixD);
    }

private:
    void flush() {
        state_ = fold_multiply(state_ ^ hash_bytes(pending_.data(), pending_.size(), kChecksumSeed), kMixB);
        total_ += pending_.size();
        pending_.clear();
    }
    std::vector<uint8_t> pending_;
    uint64_t state_ = kChecksumSeed;
    uint64_t total_ = 0;
};

void put_u32(std::vector<uint8_t> & out, uint32_t v) {
    uint8_t b[4];
    std::memcpy(b, &v, 4);
    out.insert(out.end(), b, b + 4);
}

void put_u64(std::vector<uint8_t> & out, uint64_t v) {
    uint8_t b[8];
    std::memcpy(b, &v, 8);
    out.insert(out.end(), b, b + 8);
}

uint64_t get_u64(const uint8_t * p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

std::string errno_text(const std::string & what, const std::string & path) {
    return what + " " + path + ": " + std::strerror(errno);
}

class File {
public:
    explicit File(int fd) : fd_(fd) {}
    ~File() {
        if (fd_ >= 0) ::close(fd_);
    }
    int fd() const { return fd_; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_;
};

bool write_all(int fd, const uint8_t * p, size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

// Writes the set to a temporary file beside `path`, syncs it and renames it over `path`, so a
// reader sees either the old file or the complete new one.
int32_t save(const StringSet & set, const std::string & path, char * err, size_t err_cap) {
    std::string temp = path + ".tmp-" + std::to_string(::getpid());
    File file(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (file.fd() < 0) {
        write_message(err, err_cap, errno_text("cannot create", temp));
        return CHFFI_IO_ERROR;
    }
    auto fail = [&](const char * what) {
        std::string message = errno_text(what, temp);
        ::unlink(temp.c_str());
        write_message(err, err_cap, message);
        return CHFFI_IO_ERROR;
    };
    std::vector<uint8_t> buffer;
    buffer.reserve(kChecksumChunk + 64);
    buffer.insert(buffer.end(), kMagic, kMagic + 8);
    put_u32(buffer, kFormatVersion);
    put_u32(buffer, 0);
    put_u64(buffer, set.size());
    put_u64(buffer, set.size() * 4 + set.key_bytes());
    Checksum checksum;
    bool ok = true;
    auto flush = [&] {
        checksum.add(buffer.data(), buffer.size());
        ok = ok && write_all(file.fd(), buffer.data(), buffer.size());
        buffer.clear();
    };
    set.for_each([&](std::string_view key) {
        put_u32(buffer, static_cast<uint32_t>(key.size()));
        buffer.insert(buffer.end(), key.begin(), key.end());
        if (buffer.size() >= kChecksumChunk) flush();
    });
    flush();
    put_u64(buffer, checksum.finish());
    ok = ok && write_all(file.fd(), buffer.data(), buffer.size());
    if (!ok) return fail("cannot write");
    if (::fsync(file.fd()) != 0) return fail("cannot sync");
    if (::close(file.release()) != 0) return fail("cannot close");
    if (::rename(temp.c_str(), path.c_str()) != 0) return fail("cannot rename over the target");
    return CHFFI_OK;
}

int32_t corrupt(char * err, size_t err_cap, const std::string & path, const std::string & why) {
    write_message(err, err_cap, "not a valid StringHashSet file: " + path + ": " + why);
    return CHFFI_CORRUPT;
}

int32_t load(const std::string & path, std::unique_ptr<chffi_hashset> & out, char * err, size_t err_cap) {
    File file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.fd() < 0) {
        write_message(err, err_cap, errno_text("cannot open", path));
        return CHFFI_IO_ERROR;
    }
    struct stat st;
    if (::fstat(file.fd(), &st) != 0) {
        write_message(err, err_cap, errno_text("cannot stat", path));
        return CHFFI_IO_ERROR;
    }
    size_t size = static_cast<size_t>(st.st_size);
    std::vector<uint8_t> bytes(size);
    size_t got = 0;
    while (got < size) {
        ssize_t r = ::read(file.fd(), bytes.data() + got, size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            write_message(err, err_cap, errno_text("cannot read", path));
            return CHFFI_IO_ERROR;
        }
        if (r == 0) break;
        got += static_cast<size_t>(r);
    }
    if (got != size) return corrupt(err, err_cap, path, "the file shrank while being read");
    if (size < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0) return corrupt(err, err_cap, path, "wrong magic bytes");
    if (size < kHeaderSize + kTrailerSize) return corrupt(err, err_cap, path, "truncated header");
    uint32_t version;
    std::memcpy(&version, bytes.data() + 8, 4);
    if (version != kFormatVersion) {
        return corrupt(err, err_cap, path, "format version " + std::to_string(version) + " (this build reads version 1)");
    }
    uint64_t count = get_u64(bytes.data() + 16);
    uint64_t payload = get_u64(bytes.data() + 24);
    if (payload != size - kHeaderSize - kTrailerSize) {
        return corrupt(err, err_cap, path, "truncated or extended: the header announces " + std::to_string(payload) +
            " payload bytes, the file holds " + std::to_string(size - kHeaderSize - kTrailerSize));
    }
    Checksum checksum;
    checksum.add(bytes.data(), size - kTrailerSize);
    if (checksum.finish() != get_u64(bytes.data() + size - kTrailerSize)) return corrupt(err, err_cap, path, "checksum mismatch");
    if (count > payload / 4) return corrupt(err, err_cap, path, "key count larger than the payload");
    auto set = std::make_unique<chffi_hashset>(static_cast<size_t>(count));
    const uint8_t * p = bytes.data() + kHeaderSize;
    const uint8_t * end = p + payload;
    for (uint64_t i = 0; i < count; i++) {
        if (end - p < 4) return corrupt(err, err_cap, path, "record " + std::to_string(i) + " is cut short");
        uint32_t n;
        std::memcpy(&n, p, 4);
        p += 4;
        if (static_cast<size_t>(end - p) < n) return corrupt(err, err_cap, path, "record " + std::to_string(i) + " is cut short");
        if (!set->set.insert(key_of(p, n))) return corrupt(err, err_cap, path, "duplicate key in record " + std::to_string(i));
        p += n;
    }
    if (p != end) return corrupt(err, err_cap, path, "bytes after the last record");
    out = std::move(set);
    return CHFFI_OK;
}

} // namespace
} // namespace chffi

using chffi::guarded;

extern "C" {

CHFFI_API int32_t chffi_hashset_new(uint64_t capacity, chffi_hashset ** out_set) {
    if (out_set == nullptr) return CHFFI_MISUSE;
    *out_set = nullptr;
    return guarded(nullptr, 0, [&] {
        *out_set = new chffi_hashset(static_cast<size_t>(capacity));
        return CHFFI_OK;
    });
}

CHFFI_API void chffi_hashset_free(chffi_hashset * set) {
    delete set;
}

CHFFI_API int32_t chffi_hashset_insert(chffi_hashset * set, const uint8_t * key, size_t key_len, int32_t * out_inserted) {
    if (set == nullptr || out_inserted == nullptr || (key == nullptr && key_len != 0)) return CHFFI_MISUSE;
    return guarded(nullptr, 0, [&] {
        std::unique_lock guard(set->set.lock());
        *out_inserted = set->set.insert(chffi::key_of(key, key_len)) ? 1 : 0;
        return CHFFI_OK;
    });
}

CHFFI_API int32_t chffi_hashset_contains(chffi_hashset * set, const uint8_t * key, size_t key_len, int32_t * out_found) {
    if (set == nullptr || out_found == nullptr || (key == nullptr && key_len != 0)) return CHFFI_MISUSE;
    return guarded(nullptr, 0, [&] {
        std::shared_lock guard(set->set.lock());
        *out_found = set->set.contains(chffi::key_of(key, key_len)) ? 1 : 0;
        return CHFFI_OK;
    });
}

CHFFI_API int32_t chffi_hashset_remove(chffi_hashset * set, const uint8_t * key, size_t key_len, int32_t * out_removed) {
    if (set == nullptr || out_removed == nullptr || (key == nullptr && key_len != 0)) return CHFFI_MISUSE;
    return guarded(nullptr, 0, [&] {
        std::unique_lock guard(set->set.lock());
        *out_removed = set->set.remove(chffi::key_of(key, key_len)) ? 1 : 0;
        return CHFFI_OK;
    });
}

CHFFI_API int32_t chffi_hashset_clear(chffi_hashset * set) {
    if (set == nullptr) return CHFFI_MISUSE;
    return guarded(nullptr, 0, [&] {
        std::unique_lock guard(set->set.lock());
        set->set.clear();
        return CHFFI_OK;
    });
}

CHFFI_API int32_t chffi_hashset_stats(chffi_hashset * set, uint64_t * out_stats) {
    if (set == nullptr || out_stats == nullptr) return CHFFI_MISUSE;
    std::shared_lock guard(set->set.lock());
    out_stats[0] = set->set.size();
    out_stats[1] = set->set.key_bytes();
    out_stats[2] = set->set.memory_bytes();
    return CHFFI_OK;
}

CHFFI_API int32_t chffi_hashset_export(chffi_hashset * set, chffi_bytes ** out_bytes, uint64_t * out_view) {
    if (set == nullptr || out_bytes == nullptr || out_view == nullptr) return CHFFI_MISUSE;
    *out_bytes = nullptr;
    return guarded(nullptr, 0, [&] {
        auto bytes = std::make_unique<chffi_bytes>();
        std::shared_lock guard(set->set.lock());
        bytes->data.reserve(set->set.size() * 4 + set->set.key_bytes());
        set->set.for_each([&](std::string_view key) {
            chffi::put_u32(bytes->data, static_cast<uint32_t>(key.size()));
            bytes->data.insert(bytes->data.end(), key.begin(), key.end());
        });
        out_view[0] = reinterpret_cast<uint64_t>(bytes->data.data());
        out_view[1] = bytes->data.size();
        out_view[2] = set->set.size();
        *out_bytes = bytes.release();
        return CHFFI_OK;
    });
}

CHFFI_API void chffi_bytes_free(chffi_bytes * bytes) {
    delete bytes;
}

CHFFI_API int32_t chffi_hashset_save(chffi_hashset * set, const char * path, size_t path_len, char * err, size_t err_cap) {
    if (set == nullptr || path == nullptr || path_len == 0 || std::memchr(path, 0, path_len) != nullptr) return CHFFI_MISUSE;
    return guarded(err, err_cap, [&] {
        std::shared_lock guard(set->set.lock());
        return chffi::save(set->set, std::string(path, path_len), err, err_cap);
    });
}

CHFFI_API int32_t chffi_hashset_load(const char * path, size_t path_len, chffi_hashset ** out_set, char * err, size_t err_cap) {
    if (out_set == nullptr || path == nullptr || path_len == 0 || std::memchr(path, 0, path_len) != nullptr) return CHFFI_MISUSE;
    *out_set = nullptr;
    return guarded(err, err_cap, [&] {
        std::unique_ptr<chffi_hashset> set;
        int32_t status = chffi::load(std::string(path, path_len), set, err, err_cap);
        if (status == CHFFI_OK) *out_set = set.release();
        return status;
    });
}

} // extern "C"
