# TLS test material, generated at test time (no private key is committed): tls.make_certs runs
# make_certs.sh into RESTWS_TEST_CERT_DIR as the setup of fixture `tls_certs`; a test that needs
# the certificates says FIXTURES_REQUIRED tls_certs and reads them from RESTWS_TEST_CERT_DIR
# (file names: make_certs.sh's header). The script keeps a complete set it finds, so a rerun
# costs nothing; delete the directory to get fresh keys. tls.certs_verify checks the set.
# tests/CMakeLists.txt includes this file before every other suite, which use the variable.
# By hand: tests/tls/make_certs.sh build/debug/tls-certs
set(RESTWS_TEST_CERT_DIR ${CMAKE_BINARY_DIR}/tls-certs)
find_program(RESTWS_OPENSSL openssl)
if(NOT RESTWS_OPENSSL)
  set(RESTWS_OPENSSL openssl)  # the tests then fail, saying openssl is missing
endif()

add_test(NAME tls.make_certs
         COMMAND ${CMAKE_COMMAND} -E env OPENSSL=${RESTWS_OPENSSL}
                 ${CMAKE_CURRENT_LIST_DIR}/make_certs.sh ${RESTWS_TEST_CERT_DIR})
set_tests_properties(tls.make_certs PROPERTIES FIXTURES_SETUP tls_certs LABELS tls TIMEOUT 60)

add_test(NAME tls.certs_verify
         COMMAND ${CMAKE_COMMAND} -E env OPENSSL=${RESTWS_OPENSSL}
                 ${CMAKE_CURRENT_LIST_DIR}/verify_certs.sh ${RESTWS_TEST_CERT_DIR})
set_tests_properties(tls.certs_verify PROPERTIES FIXTURES_REQUIRED tls_certs LABELS tls
                                                 TIMEOUT 60)
