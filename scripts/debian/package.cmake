# `make package`: a Debian package of intake, built by CPack from the install rules.
# Runtime dependencies come from dpkg-shlibdeps; the files under /etc/intake are
# conffiles; postinst creates the user, HR's group and the folders (sysusers.d,
# tmpfiles.d) and starts nothing: the admin writes the config and the passwords,
# then runs `systemctl enable --now intake`.
set(INTAKE_DEBIAN_DIR ${CMAKE_CURRENT_LIST_DIR})

# A Debian changelog and the copyright file are part of every package (Policy 12.5,
# 12.7); the changelog is compressed as lintian expects, reproducibly (gzip -n).
set(INTAKE_CHANGELOG ${CMAKE_CURRENT_BINARY_DIR}/debian/changelog.gz)
add_custom_command(
    OUTPUT ${INTAKE_CHANGELOG}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/debian
    COMMAND gzip -9nc ${INTAKE_DEBIAN_DIR}/changelog > ${INTAKE_CHANGELOG}
    DEPENDS ${INTAKE_DEBIAN_DIR}/changelog
    COMMENT "Compressing the Debian changelog")
add_custom_target(intake_changelog ALL DEPENDS ${INTAKE_CHANGELOG})
install(FILES ${INTAKE_CHANGELOG} DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The conffiles list is every file installed under /etc/intake.
file(GLOB_RECURSE intake_config_files RELATIVE ${PROJECT_SOURCE_DIR}/config
     CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/config/*)
set(conffiles "")
foreach(file ${intake_config_files})
    string(APPEND conffiles "${CMAKE_INSTALL_FULL_SYSCONFDIR}/intake/${file}\n")
endforeach()
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles "${conffiles}")
foreach(script postinst postrm)
    configure_file(${INTAKE_DEBIAN_DIR}/${script} ${CMAKE_CURRENT_BINARY_DIR}/debian/${script}
                   COPYONLY FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                   GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME intake)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "intake maintainers <intake@atlanticcities.eu>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "files job applications from IMAP mailboxes and answers applicants")
# CPack puts the summary above this as the synopsis line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "intake is a daemon for small associations: it watches their job-application
mailboxes over IMAP, routes each mail to a job posting by its subject, files
the CV and cover letter in per-posting folders with a spreadsheet index for
HR, and answers every applicant over SMTP in their language.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# systemd-sysusers and systemd-tmpfiles run from postinst.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles ${CMAKE_CURRENT_BINARY_DIR}/debian/postinst
    ${CMAKE_CURRENT_BINARY_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Absolute destinations (/etc/intake, /lib/systemd/system) need DESTDIR staging;
# the package installs under /usr whatever prefix the build was configured with.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
include(CPack)
