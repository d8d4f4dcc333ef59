// The C ABI of the string set: lifetime, single-key operations, export, save and load.
#include "boundary.h"
#include "chdb_ffi.h"
#include "hashset.h"
#include "hashset_handle.h"
#include "fault.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <fcntl.h>
#include <mutex>
#include <random>
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
constexpr uint64_t kPresizeKeys = uint64_t{1} << 22;

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

// A fresh temporary name beside `path`: random, so that no other user of the directory can
// predict it and plant a file or symlink there ahead of the save.
std::string temp_name(const std::string & path) {
    std::random_device device;
    char suffix[40];
    std::snprintf(suffix, sizeof suffix, ".tmp-%d-%08x%08x", static_cast<int>(::getpid()), device(), device());
    return path + suffix;
}

// Syncs the directory holding `path`, so that the rename itself survives a crash.
void sync_directory_of(const std::string & path) {
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return; // best effort: the data itself is synced and renamed
    ::fsync(fd);
    ::close(fd);
}

// Writes the set to a temporary file beside `path`, syncs it and renames it over `path`, so a
// reader sees either the old file or the complete new one. The temporary file is created
// exclusively (O_EXCL | O_NOFOLLOW, a random name): nothing planted in the directory, file or
// symlink, is ever opened or written through. rename() replaces a symlink at `path` itself.
int32_t save(const StringSet & set, const std::string & path, chffi_error ** out_error) {
    std::string temp;
    int fd = -1;
    for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
        temp = temp_name(path);
        fd = CHFFI_FAULT_OR(-1, ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (fd < 0 && errno != EEXIST) break;
    }
    File file(fd);
    if (file.fd() < 0)
        return chffi::report(out_error, CHFFI_IO_ERROR, errno_text("cannot create", temp));
    auto fail = [&](const char * what) -> int32_t {
        std::string message = errno_text(what, temp);
        ::unlink(temp.c_str());
        return chffi::report(out_error, CHFFI_IO_ERROR, message);
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
    try {
        set.for_each([&](std::string_view key) {
            put_u32(buffer, static_cast<uint32_t>(key.size()));
            buffer.insert(buffer.end(), key.begin(), key.end());
            if (buffer.size() >= kChecksumChunk) flush();
        });
        flush();
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    put_u64(buffer, checksum.finish());
    ok = ok && write_all(file.fd(), buffer.data(), buffer.size());
    if (!ok) return fail("cannot write");
    if (::fsync(file.fd()) != 0) return fail("cannot sync");
    if (::close(file.release()) != 0) return fail("cannot close");
    if (::rename(temp.c_str(), path.c_str()) != 0) return fail("cannot rename over the target");
    sync_directory_of(path);
    return CHFFI_OK;
}

int32_t corrupt(chffi_error ** out_error, const std::string & path, const std::string & why) {
    return chffi::report(out_error, CHFFI_CORRUPT, "not a valid StringHashSet file: " + path + ": " + why);
}

// Reads a file front to back in 1 MiB pieces, feeding everything it hands out to the checksum.
class BodyReader {
public:
    BodyReader(int fd, uint64_t size) : fd_(fd), left_(size) { buffer_.resize(static_cast<size_t>(std::min<uint64_t>(size, 1 << 20))); }

    // Copies the next n bytes to out (or skips them when out is NULL); false at the end of the file.
    bool take(uint8_t * out, size_t n, Checksum & checksum, bool check = true) {
        while (n > 0) {
            if (pos_ == end_ && !refill()) return false;
            size_t k = std::min(n, end_ - pos_);
            if (check) checksum.add(buffer_.data() + pos_, k);
            if (out != nullptr) {
                std::memcpy(out, buffer_.data() + pos_, k);
                out += k;
            }
            pos_ += k;
            n -= k;
            taken_ += k;
        }
        return true;
    }
    int error() const { return error_; }
    uint64_t taken() const { return taken_; }

private:
    bool refill() {
        if (left_ == 0) return false;
        size_t want = static_cast<size_t>(std::min<uint64_t>(left_, buffer_.size()));
        for (;;) {
            ssize_t r = ::read(fd_, buffer_.data(), want);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) error_ = errno;
            if (r <= 0) return false;
            pos_ = 0;
            end_ = static_cast<size_t>(r);
            left_ -= end_;
            return true;
        }
    }
    int fd_;
    uint64_t left_;
    std::vector<uint8_t> buffer_;
    size_t pos_ = 0;
    size_t end_ = 0;
    int error_ = 0;
    uint64_t taken_ = 0;
};

// Opens `path` for reading without blocking on a FIFO and refuses anything but a regular file
// (FIFOs, sockets, devices such as /dev/zero, directories). A symlink is followed: the caller
// names the file to read, as with any open(); only what it points to must be a regular file.
int open_regular(const std::string & path, uint64_t & size, chffi_error ** out_error) {
    File file(CHFFI_FAULT_OR(-1, ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)));
    if (file.fd() < 0)
        return report(out_error, -1, errno_text("cannot open", path));
    struct stat st;
    if (::fstat(file.fd(), &st) != 0)
        return report(out_error, -1, errno_text("cannot stat", path));
    if (!S_ISREG(st.st_mode)) {
        const char * kind = S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
            : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : S_ISSOCK(st.st_mode) ? "a socket" : "not a file";
        return report(out_error, -1, "cannot load " + path + ": it is " + kind + ", not a regular file");
    }
    int flags = ::fcntl(file.fd(), F_GETFL);
    if (flags >= 0) ::fcntl(file.fd(), F_SETFL, flags & ~O_NONBLOCK);
    size = static_cast<uint64_t>(st.st_size);
    return file.release();
}

// Checks the header against the file's size before anything proportional to the header's claims
// is allocated, then reads the body in pieces (never the whole file at once) into the new set and
// verifies the checksum at the end.
int32_t load(const std::string & path, std::unique_ptr<chffi_hashset> & out, chffi_error ** out_error) {
    uint64_t size = 0;
    File file(open_regular(path, size, out_error));
    if (file.fd() < 0) return CHFFI_IO_ERROR;
    BodyReader reader(file.fd(), size);
    Checksum checksum;
    auto cut_short = [&](const std::string & what) -> int32_t {
        if (reader.error() != 0) {
            errno = reader.error();
            return chffi::report(out_error, CHFFI_IO_ERROR, errno_text("cannot read", path));
        }
        return corrupt(out_error, path, what);
    };
    uint8_t header[kHeaderSize];
    size_t head = static_cast<size_t>(std::min<uint64_t>(size, kHeaderSize));
    if (!reader.take(header, head, checksum)) return cut_short("the file shrank while being read");
    if (head < 8 || std::memcmp(header, kMagic, 8) != 0) return corrupt(out_error, path, "wrong magic bytes");
    if (size < kHeaderSize + kTrailerSize) return corrupt(out_error, path, "truncated header");
    uint32_t version;
    std::memcpy(&version, header + 8, 4);
    if (version != kFormatVersion) {
        return corrupt(out_error, path, "format version " + std::to_string(version) + " (this build reads version 1)");
    }
    uint64_t count = get_u64(header + 16);
    uint64_t payload = get_u64(header + 24);
    if (payload != size - kHeaderSize - kTrailerSize) {
        return corrupt(out_error, path, "truncated or extended: the header announces " + std::to_string(payload) +
            " payload bytes, the file holds " + std::to_string(size - kHeaderSize - kTrailerSize));
    }
    if (count > payload / 4) return corrupt(out_error, path, "key count larger than the payload");
    // A record that does not parse is reported as such only once the checksum, read to the end,
    // says the file is intact: a damaged file is a checksum mismatch, whatever byte was hit.
    auto malformed = [&](const std::string & what) -> int32_t {
        uint8_t trailer[kTrailerSize];
        uint64_t body_end = size - kTrailerSize;
        if (reader.taken() > body_end || !reader.take(nullptr, static_cast<size_t>(body_end - reader.taken()), checksum) ||
            !reader.take(trailer, kTrailerSize, checksum, false)) {
            return cut_short("the file shrank while being read");
        }
        if (checksum.finish() != get_u64(trailer)) return corrupt(out_error, path, "checksum mismatch");
        return corrupt(out_error, path, what);
    };
    // Sized for the announced keys up to kPresizeKeys (128 MiB of slots); a larger set grows as its
    // records prove to be there, so a header cannot reserve more than a few bytes per byte read.
    auto set = std::make_unique<chffi_hashset>(static_cast<size_t>(std::min<uint64_t>(count, kPresizeKeys)));
    std::vector<uint8_t> key;
    uint64_t left = payload;
    for (uint64_t i = 0; i < count; i++) {
        uint8_t len[4];
        if (left < 4) return malformed("record " + std::to_string(i) + " is cut short");
        if (!reader.take(len, 4, checksum)) return cut_short("the file shrank while being read");
        uint32_t n;
        std::memcpy(&n, len, 4);
        left -= 4;
        if (left < n) return malformed("record " + std::to_string(i) + " is cut short");
        key.resize(n);
        if (!reader.take(key.data(), n, checksum)) return cut_short("the file shrank while being read");
        left -= n;
        if (!set->set.insert(key_of(key.data(), n))) return malformed("duplicate key in record " + std::to_string(i));
    }
    if (left != 0) return malformed("bytes after the last record");
    uint8_t trailer[kTrailerSize];
    if (!reader.take(trailer, kTrailerSize, checksum, false)) return cut_short("the file shrank while being read");
    if (checksum.finish() != get_u64(trailer)) return corrupt(out_error, path, "checksum mismatch");
    out = std::move(set);
    return CHFFI_OK;
}

} // namespace
} // namespace chffi

using chffi::guarded;
using chffi::report;

extern "C" {

CHFFI_API int32_t chffi_hashset_new(uint64_t capacity, chffi_hashset ** out_set) {
    if (out_set == nullptr) return CHFFI_MISUSE;
    *out_set = nullptr;
    return guarded(nullptr, [&] {
        *out_set = new chffi_hashset(static_cast<size_t>(capacity));
        return CHFFI_OK;
    });
}

CHFFI_API void chffi_hashset_free(chffi_hashset * set) {
    delete set;
}

CHFFI_API int32_t chffi_hashset_insert(chffi_hashset * set, const uint8_t * key, size_t key_len, int32_t * out_inserted) {
    if (set == nullptr || out_inserted == nullptr || (key == nullptr && key_len != 0)) return CHFFI_MISUSE;
    return guarded(nullptr, [&] {
        std::unique_lock guard(set->set.lock());
        *out_inserted = set->set.insert(chffi::key_of(key, key_len)) ? 1 : 0;
        return CHFFI_OK;
    });
}

CHFFI_API int32_t chffi_hashset_contains(chffi_hashset * set, const uint8_t * key, size_t key_len, int32_t * out_found) {
    if (set == nullptr || out_found == nullptr || (key == nullptr && key_len != 0)) return CHFFI_MISUSE;
    return guarded(nullptr, [&] {
        std::shared_lock guard(set->set.lock());
        *out_found = set->set.contains(chffi::key_of(key, key_len)) ? 1 : 0;
        return CHFFI_OK;
    });
}

CHFFI_API int32_t chffi_hashset_remove(chffi_hashset * set, const uint8_t * key, size_t key_len, int32_t * out_removed) {
    if (set == nullptr || out_removed == nullptr || (key == nullptr && key_len != 0)) return CHFFI_MISUSE;
    return guarded(nullptr, [&] {
        std::unique_lock guard(set->set.lock());
        *out_removed = set->set.remove(chffi::key_of(key, key_len)) ? 1 : 0;
        return CHFFI_OK;
    });
}

CHFFI_API int32_t chffi_hashset_clear(chffi_hashset * set) {
    if (set == nullptr) return CHFFI_MISUSE;
    return guarded(nullptr, [&] {
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
    return guarded(nullptr, [&] {
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

CHFFI_API int32_t chffi_hashset_save(chffi_hashset * set, const char * path, size_t path_len, chffi_error ** out_error) {
    return guarded(out_error, [&] {
        if (set == nullptr || path == nullptr || path_len == 0 || std::memchr(path, 0, path_len) != nullptr)
            return report(out_error, CHFFI_MISUSE, "chffi_hashset_save: NULL argument, or a path empty or with a NUL byte");
        std::shared_lock guard(set->set.lock());
        return chffi::save(set->set, std::string(path, path_len), out_error);
    });
}

CHFFI_API int32_t chffi_hashset_load(const char * path, size_t path_len, chffi_hashset ** out_set, chffi_error ** out_error) {
    return guarded(out_error, [&] {
        if (out_set == nullptr || path == nullptr || path_len == 0 || std::memchr(path, 0, path_len) != nullptr)
            return report(out_error, CHFFI_MISUSE, "chffi_hashset_load: NULL argument, or a path empty or with a NUL byte");
        *out_set = nullptr;
        std::unique_ptr<chffi_hashset> set;
        int32_t status = chffi::load(std::string(path, path_len), set, out_error);
        if (status == CHFFI_OK) *out_set = set.release();
        return status;
    });
}

} // extern "C"
