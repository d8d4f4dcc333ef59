// The engine's own access control, configured at boot, and the engine's statement classifier.
//
// Every connection runs as the engine's user `default` (chDB authenticates each connection as
// that user, and the engine cannot switch users: impersonation needs a server setting that the
// embedded engine never reads). So the only place to restrict what SQL may do to the process
// as a whole is `default` itself, through a users configuration read when the engine boots.
// Ours grants `default` exactly what chDB's built-in configuration grants it, minus SYSTEM
// SHUTDOWN (which also covers SYSTEM KILL: both send signals to the host process) and SYSTEM
// FAILPOINT (test hooks that can stall or abort the engine).
//
// The configuration never touches the file system: it lives in two anonymous memory files
// (memfd) named by /proc/self/fd paths, kept open for the life of the process. Passing an
// explicit config file also stops the engine from loading a config.xml found in the working
// directory or in ~/.clickhouse-local.
#include "access.h"

#include "boundary.h"
#include "chdb_ffi.h"
#include "connection.h"
#include "engine.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace chffi {
namespace {

// chDB's built-in grants for `default` (as SHOW GRANTS lists them), minus SYSTEM SHUTDOWN and FAILPOINT.
constexpr const char * kUsersXml = R"(<clickhouse>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>::/0</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
      <grants>
        <query>GRANT SOURCES ON *.*</query>
        <query>GRANT TABLE ENGINE ON *</query>
        <query>GRANT CHECK, SHOW, SELECT, INSERT, ALTER, CREATE, DROP, UNDROP TABLE, TRUNCATE, OPTIMIZE, BACKUP, KILL QUERY, KILL TRANSACTION, MOVE PARTITION BETWEEN SHARDS, SYSTEM, dictGet, displaySecretsInShowAndSelect, INTROSPECTION, CLUSTER ON *.*</query>
        <query>GRANT SET DEFINER ON *</query>
        <query>GRANT ALTER NAMED COLLECTION, CREATE NAMED COLLECTION, DROP NAMED COLLECTION, SHOW NAMED COLLECTIONS, NAMED COLLECTION ON *</query>
        <query>REVOKE SYSTEM SHUTDOWN, SYSTEM FAILPOINT ON *.*</query>
      </grants>
    </default>
  </users>
  <quotas><default></default></quotas>
</clickhouse>
)";

// An anonymous in-memory file holding `text`, or -1 (errno set). Close-on-exec: UDF and
// executable() children do not inherit it.
int memory_file(const char * name, const std::string & text) {
#ifdef SYS_memfd_create
    const unsigned int cloexec = 1u; // MFD_CLOEXEC
    int fd = static_cast<int>(syscall(SYS_memfd_create, name, cloexec));
#else
    int fd = -1;
    errno = ENOSYS;
#endif
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        done += static_cast<size_t>(n);
    }
    return fd;
}

std::mutex config_mutex;
std::string config_option; // "" until prepared
std::string config_error;
// The engine's directory of executable UDF scripts is fixed at boot, yet created only when a
// JS UDF is registered: the engine gets /proc/<pid>/fd/N/, where fd N holds /dev/null until
// chffi_scripts_dir() puts the private directory there (dup3 replaces it atomically). Only this
// user (and root) can resolve that path, and what it leads to is a mkdtemp directory of mode
// 0700: no other user can plant a script that executable() runs.
int scripts_fd = -1;
std::string scripts_dir; // the directory behind scripts_fd, "" until a JS UDF is registered

// At exit: the scripts and definitions written there (plain files), then the directory.
void remove_scripts_dir() {
    std::lock_guard lock(config_mutex);
    if (scripts_dir.empty())
        return;
    if (DIR * d = opendir(scripts_dir.c_str())) {
        while (dirent * e = readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(scripts_dir.c_str());
}

void prepare() {
    int users = memory_file("chdb-ffi-users.xml", kUsersXml);
    if (users < 0) {
        config_error = std::string("cannot create the engine's users configuration in memory: ") + std::strerror(errno);
        return;
    }
    std::string config = "<clickhouse>\n  <users_config>/proc/self/fd/" + std::to_string(users) + "</users_config>\n</clickhouse>\n";
    int main_config = memory_file("chdb-ffi-config.xml", config);
    if (main_config < 0) {
        config_error = std::string("cannot create the engine's configuration in memory: ") + std::strerror(errno);
        close(users);
        return;
    }
    std::string path = "/proc/self/fd/" + std::to_string(main_config);
    if (access(path.c_str(), R_OK) != 0) {
        config_error = "cannot give the engine its users configuration: " + path + " is not readable (is /proc mounted?)";
        close(users);
        close(main_config);
        return;
    }
    scripts_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (scripts_fd < 0) {
        config_error = std::string("cannot reserve the UDF directory descriptor: ") + std::strerror(errno);
        close(users);
        close(main_config);
        return;
    }
    config_option = "--config-file=" + path;
}

} // namespace

std::vector<std::string> access_options(std::string & why) {
    std::lock_guard lock(config_mutex);
    if (config_option.empty() && config_error.empty())
        prepare();
    why = config_error;
    if (!why.empty())
        return {};
    // /proc/<pid>, not /proc/self: the engine runs scripts by path from child processes, which
    // resolve it through this process's descriptor table (readable only by this user and root).
    std::string scripts = "/proc/" + std::to_string(getpid()) + "/fd/" + std::to_string(scripts_fd) + "/";
    return {config_option, "--user_scripts_path=" + scripts, "--user_defined_executable_functions_config=" + scripts + "*_function.xml"};
}

} // namespace chffi

extern "C" {

int32_t chffi_scripts_dir(const char * candidate, size_t candidate_len, char * out_path, size_t out_cap, chffi_error ** out_error) {
    return chffi::guarded(out_error, [&] {
        std::string why;
        chffi::access_options(why);
        std::lock_guard lock(chffi::config_mutex);
        if (!why.empty() || chffi::scripts_fd < 0)
            return chffi::report(out_error, CHFFI_IO_ERROR, why.empty() ? "no UDF directory descriptor" : why);
        if (chffi::scripts_dir.empty() && candidate != nullptr && candidate_len != 0) {
            std::string dir(candidate, candidate_len);
            if (dir.find('\0') != std::string::npos || dir.front() != '/')
                return chffi::report(out_error, CHFFI_MISUSE, "the UDF directory must be an absolute path");
            int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0 || dup3(fd, chffi::scripts_fd, O_CLOEXEC) < 0) {
                std::string message = "cannot use " + dir + " as the UDF directory: " + std::strerror(errno);
                if (fd >= 0)
                    close(fd);
                return chffi::report(out_error, CHFFI_IO_ERROR, message);
            }
            close(fd);
            chffi::scripts_dir = dir;
            std::atexit(chffi::remove_scripts_dir);
        }
        if (out_path == nullptr || out_cap <= chffi::scripts_dir.size())
            return chffi::report(out_error, CHFFI_MISUSE, "chffi_scripts_dir: out_path cannot hold " + chffi::scripts_dir);
        std::memcpy(out_path, chffi::scripts_dir.c_str(), chffi::scripts_dir.size() + 1);
        return static_cast<int32_t>(CHFFI_OK);
    });
}

// chdb_classify_query_n's analysis (programs/local/chdb.h): struct_size, statement_count, flags, class.
struct EngineQueryAnalysis {
    uint32_t struct_size;
    uint32_t statement_count;
    uint32_t flags;
    uint32_t query_class;
};
using ClassifyFn = int (*)(chffi::EngineConnection * conn, const char * sql, size_t sql_len, const char * target_db,
    size_t target_db_len, EngineQueryAnalysis * out);

int32_t chffi_classify(chffi_conn * conn, const char * sql, size_t sql_len, uint32_t * out_analysis) {
    return chffi::guarded(nullptr, [&] {
        if (conn == nullptr || out_analysis == nullptr || (sql == nullptr && sql_len != 0))
            return static_cast<int32_t>(CHFFI_MISUSE);
        static const auto classify = reinterpret_cast<ClassifyFn>(chffi::engine_symbol("chdb_classify_query_n"));
        if (classify == nullptr)
            return static_cast<int32_t>(CHFFI_LOAD_FAILED);
        if (conn->open_streams.load() != 0)
            return static_cast<int32_t>(CHFFI_BUSY);
        chffi::InFlight in_flight(conn);
        std::lock_guard lock(conn->query_mutex);
        EngineQueryAnalysis analysis{sizeof(EngineQueryAnalysis), 0, 0, 4};
        if (classify(*conn->handle, sql ? sql : "", sql_len, nullptr, 0, &analysis) != 0)
            return static_cast<int32_t>(CHFFI_ENGINE_ERROR);
        out_analysis[0] = analysis.statement_count;
        out_analysis[1] = analysis.query_class;
        out_analysis[2] = analysis.flags;
        return static_cast<int32_t>(CHFFI_OK);
    });
}

} // extern "C"
