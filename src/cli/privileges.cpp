#include "cli/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/errors.h"

namespace intake::cli {
namespace {

[[noreturn]] void cannot(const std::string& what, uid_t uid) {
    throw ConfigError("running as root, intake must act as the owner (uid " + std::to_string(uid) +
                          ") of storage.state_dir, but " + what + ": " + std::strerror(errno),
                      "run the command as that user instead (sudo -u <user> intake …), or check "
                      "that nothing (a container, a seccomp filter) forbids changing user");
}

/// The user's groups from its passwd entry, or just the state directory's group
/// when it has none (systemd's DynamicUser=, whose user exists only while the
/// service runs); HR's group too, because filing gives folders to it.
std::vector<gid_t> groups_of(const passwd* user, gid_t primary, const config::Storage& storage) {
    std::vector<gid_t> groups{primary};
    if (user != nullptr) {
        int count = 64;
        groups.resize(static_cast<std::size_t>(count));
        while (::getgrouplist(user->pw_name, primary, groups.data(), &count) < 0) {
            groups.resize(static_cast<std::size_t>(count));
        }
        groups.resize(static_cast<std::size_t>(count));
    }
    if (!storage.group.empty()) {
        if (const group* hr = ::getgrnam(storage.group.c_str()); hr != nullptr) {
            if (std::find(groups.begin(), groups.end(), hr->gr_gid) == groups.end())
                groups.push_back(hr->gr_gid);
        }
    }
    return groups;
}

}  // namespace

void act_as_state_owner(const config::Storage& storage, spdlog::logger& log) {
    if (::geteuid() != 0) return;
    struct stat st {};
    if (::stat(storage.state_dir.c_str(), &st) != 0 || st.st_uid == 0) return;

    const uid_t uid = st.st_uid;
    const passwd* user = ::getpwuid(uid);
    const gid_t primary = user != nullptr ? user->pw_gid : st.st_gid;
    const std::vector<gid_t> groups = groups_of(user, primary, storage);
    // Groups before the uid: once the uid is dropped, nothing can be changed.
    if (::setgroups(groups.size(), groups.data()) != 0) cannot("setgroups failed", uid);
    if (::setgid(primary) != 0) cannot("setgid(" + std::to_string(primary) + ") failed", uid);
    if (::setuid(uid) != 0) cannot("setuid failed", uid);
    // setuid() from root drops the saved uid too; prove that the way back is closed.
    if (::setuid(0) == 0) {
        errno = EPERM;
        cannot("root could be regained", uid);
    }
    log.debug("running as uid {} ({}), gid {}, the owner of {}, so every file stays theirs", uid,
              user != nullptr ? user->pw_name : "no passwd entry", primary,
              storage.state_dir.string());
}

void read_secrets_ahead(config::Config& config) {
    auto ahead = [](SecretSource& source) {
        if (!source.empty())
            source.read_ahead = std::make_shared<const Secret>(read_secret(source));
    };
    for (auto& mailbox : config.mailboxes) ahead(mailbox.password);
    for (auto& smtp : config.smtp_servers) ahead(smtp.password);
}

}  // namespace intake::cli
