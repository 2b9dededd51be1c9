# Install rules shared by both packages, and CPack's two Debian packages:
#   quietwire   the desktop client and quietwire-cli
#   quietwired  the server, with its systemd unit
# `cmake --install build --prefix /usr/local` installs both; `cpack --config build/CPackConfig.cmake`
# (scripts/package.sh) builds the .deb files.

set(QUIETWIRE_DOC_FILES ${PROJECT_SOURCE_DIR}/docs/PROTOCOL.md ${PROJECT_SOURCE_DIR}/docs/SECURITY.md)

# Client docs keep the README's relative links (docs/screenshots/...) working.
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/quietwire COMPONENT quietwire)
install(FILES ${QUIETWIRE_DOC_FILES} ${PROJECT_SOURCE_DIR}/docs/PERFORMANCE.md ${PROJECT_SOURCE_DIR}/docs/performance.png
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/quietwire/docs COMPONENT quietwire)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/screenshots
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/quietwire/docs COMPONENT quietwire)

install(FILES ${PROJECT_SOURCE_DIR}/docs/ADMIN.md ${QUIETWIRE_DOC_FILES} ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/quietwired COMPONENT quietwired)

# The unit names the installed program, so it is written at install time, when the real prefix
# is known (cmake --install --prefix, or /usr inside a package).
install(CODE "
    set(QUIETWIRE_BIN_DIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
    set(QUIETWIRE_DOC_DIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/doc/quietwired\")
    configure_file(\"${CMAKE_CURRENT_LIST_DIR}/quietwired.service.in\"
                   \"${CMAKE_BINARY_DIR}/packaging/quietwired.service\" @ONLY)
" COMPONENT quietwired)
# lib/systemd/system under the prefix: /usr/lib/systemd/system for a package, and systemd also
# reads /usr/local/lib/systemd/system.
install(FILES ${CMAKE_BINARY_DIR}/packaging/quietwired.service DESTINATION lib/systemd/system COMPONENT quietwired)

# Manual pages, made from each program's --help and --version by help2man (so they cannot drift
# from the programs), gzipped as Debian wants them. Skipped when help2man is missing or the
# programs carry sanitizers.
find_program(HELP2MAN_EXE help2man)
function(quietwire_man_page program section component summary)
    set(page ${CMAKE_BINARY_DIR}/man/${program}.${section})
    add_custom_command(OUTPUT ${page}.gz
        COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
        COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen
                ${HELP2MAN_EXE} --no-info --section ${section} --name ${summary} --output ${page}
                $<TARGET_FILE:${program}>
        COMMAND gzip -9nf ${page}
        DEPENDS ${program}
        COMMENT "Writing the manual page ${program}(${section})"
        VERBATIM)
    add_custom_target(man_${program} ALL DEPENDS ${page}.gz)
    install(FILES ${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} COMPONENT ${component})
endfunction()

if(HELP2MAN_EXE AND NOT QUIETWIRE_SANITIZE)
    quietwire_man_page(quietwire 1 quietwire "encrypted chat and file transfer through your own QuietWire server")
    quietwire_man_page(quietwire-cli 1 quietwire "QuietWire command-line client: chat, rooms, history, search and files")
    quietwire_man_page(quietwired 8 quietwired "QuietWire server: encrypted chat and files for the keys on its whitelist")
else()
    message(STATUS "help2man not found (or a sanitizer build): no manual pages")
endif()

# Debian wants a changelog and a copyright file in every package's doc folder.
set(QUIETWIRE_CHANGELOG_GZ ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(OUTPUT ${QUIETWIRE_CHANGELOG_GZ}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
    COMMAND sh -c "gzip -9nc '${CMAKE_CURRENT_LIST_DIR}/debian/changelog' > '${QUIETWIRE_CHANGELOG_GZ}'"
    DEPENDS ${CMAKE_CURRENT_LIST_DIR}/debian/changelog
    VERBATIM)
add_custom_target(package_changelog ALL DEPENDS ${QUIETWIRE_CHANGELOG_GZ})
foreach(component quietwire quietwired)
    install(FILES ${QUIETWIRE_CHANGELOG_GZ} ${CMAKE_CURRENT_LIST_DIR}/debian/copyright
            DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${component} COMPONENT ${component})
endforeach()

set(QUIETWIRE_PACKAGE_CONTACT "QuietWire developers <quietwire@example.org>" CACHE STRING
    "Maintainer field of the Debian packages")

set(CPACK_PACKAGE_NAME quietwire)
set(CPACK_PACKAGE_VENDOR "QuietWire")
set(CPACK_PACKAGE_CONTACT "${QUIETWIRE_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_COMPONENTS_ALL quietwire quietwired)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
# Install with DESTDIR, so CMAKE_INSTALL_PREFIX is /usr while the unit is written.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
# dpkg-shlibdeps turns the linked libraries into the Qt 6 and OpenSSL runtime dependencies.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)


set(CPACK_DEBIAN_QUIETWIRE_PACKAGE_NAME quietwire)
set(CPACK_DEBIAN_QUIETWIRE_PACKAGE_SECTION net)
set(CPACK_DEBIAN_QUIETWIRE_PACKAGE_RECOMMENDS "qt6-translations-l10n")
set(CPACK_COMPONENT_QUIETWIRE_DESCRIPTION
    "encrypted chat and file transfer: desktop and command-line clients\n\
QuietWire is a self-hosted encrypted chat and file-transfer system. Clients\n\
and the server know each other by X25519 keys and talk\n\
Noise_XX_25519_ChaChaPoly_SHA256 over TCP.\n\
This package holds the desktop client quietwire (chat, files, key manager;\n\
English and Russian) and the command-line client quietwire-cli.")

set(CPACK_DEBIAN_QUIETWIRED_PACKAGE_NAME quietwired)
set(CPACK_DEBIAN_QUIETWIRED_PACKAGE_SECTION net)
# adduser for the service's user, Qt's SQLite driver for the chat store (a plugin, which
# dpkg-shlibdeps cannot see); the rest comes from dpkg-shlibdeps.
set(CPACK_DEBIAN_QUIETWIRED_PACKAGE_DEPENDS "adduser, libqt6sql6-sqlite")
set(CPACK_DEBIAN_QUIETWIRED_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/debian/postinst ${CMAKE_CURRENT_LIST_DIR}/debian/prerm
    ${CMAKE_CURRENT_LIST_DIR}/debian/postrm)
set(CPACK_DEBIAN_QUIETWIRED_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_COMPONENT_QUIETWIRED_DESCRIPTION
    "encrypted chat and file transfer: the server\n\
QuietWire is a self-hosted encrypted chat and file-transfer system.\n\
quietwired lets in only the client keys on its whitelist, relays the team\n\
chat and keeps each user's files. It runs as the systemd service quietwired\n\
(its own user, data in /var/lib/quietwired, sandboxed); quietwired allow,\n\
revoke and console administer it.")

include(CPack)
