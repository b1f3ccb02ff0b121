# Debian package (cpack -G DEB in a build dir): /usr/bin/edgegw, /etc/edgegw/edgegw.ini
# (a conffile), the systemd unit, the docs; maintainer scripts in deb/ create the edgegw
# user and /var/lib/edgegw and enable the unit. Depends come from dpkg-shlibdeps, so the
# same rules serve amd64 and, cross-built, arm64/armhf (see docs/APPLIANCE.md).
install(FILES ${PROJECT_SOURCE_DIR}/etc/edgegw.ini DESTINATION /etc/edgegw
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
# LwM2M object definitions (gateway.lwm2m.definitions_dir), conffiles too: users edit and
# add their own objects there.
file(GLOB EDGEGW_LWM2M_OBJECTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/etc/lwm2m/*.json)
install(FILES ${EDGEGW_LWM2M_OBJECTS} DESTINATION /etc/edgegw/lwm2m
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
set(EDGEGW_CONFFILES "/etc/edgegw/edgegw.ini\n")
foreach(f ${EDGEGW_LWM2M_OBJECTS})
  get_filename_component(n ${f} NAME)
  string(APPEND EDGEGW_CONFFILES "/etc/edgegw/lwm2m/${n}\n")
endforeach()
file(WRITE ${PROJECT_BINARY_DIR}/deb/conffiles "${EDGEGW_CONFFILES}")
install(FILES ${PROJECT_SOURCE_DIR}/etc/edgegw.service DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/edgegw)
foreach(doc APPLIANCE.md ARCHITECTURE.md BENCHMARKS.md)
  if(EXISTS ${PROJECT_SOURCE_DIR}/docs/${doc})
    install(FILES ${PROJECT_SOURCE_DIR}/docs/${doc} DESTINATION share/doc/edgegw)
  endif()
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME edgegw)
set(CPACK_PACKAGE_VENDOR "edgegw")
set(CPACK_PACKAGE_CONTACT "edgegw maintainers <edgegw@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "edge IoT gateway: MQTT broker, MQTT-SN/CoAP/LwM2M/STOMP translator, cloud bridge")
set(CPACK_PACKAGE_DESCRIPTION
    "One small daemon for ARM Linux gateway devices: an MQTT 3.1/3.1.1/5.0 broker for the\n\
site, a translator of MQTT-SN, CoAP, LwM2M and STOMP into MQTT topics, and a bridge that\n\
carries the site's traffic to a central MQTT broker, spooling on local storage while the\n\
uplink is down. Runs as the systemd service edgegw.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/edgegw/edgegw")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# adduser for the maintainer scripts; libcoap3 (holding libcoap-3-notls and -openssl) since
# edgegw dlopen()s it, which shlibdeps cannot see; shlibdeps appends the linked libraries.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, libcoap3 (>= 4.3.1)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/deb/conffiles ${PROJECT_SOURCE_DIR}/cmake/deb/postinst
    ${PROJECT_SOURCE_DIR}/cmake/deb/prerm ${PROJECT_SOURCE_DIR}/cmake/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# CPack stamps `dpkg --print-architecture` (the build machine's) unless told the target's.
if(CMAKE_CROSSCOMPILING)
  execute_process(COMMAND dpkg-architecture -qDEB_HOST_ARCH -t ${CMAKE_LIBRARY_ARCHITECTURE}
                  OUTPUT_VARIABLE CPACK_DEBIAN_PACKAGE_ARCHITECTURE
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
include(CPack)
