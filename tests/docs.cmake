# tests/docs.cmake — documentation generated from the code stays in sync with it (label docs).
#
# docs.encoder_reference: the factory's table of types and parameters in docs/encodings.md (between
# the encoder_reference markers) must equal posenc::encoder_reference_markdown(), which is generated
# from the factory's registry. Regenerate after changing the registry:
#     build/dev/tests/posenc_encoder_reference --update docs/encodings.md
add_executable(posenc_encoder_reference ${CMAKE_CURRENT_SOURCE_DIR}/encoder_reference.cpp)
target_link_libraries(posenc_encoder_reference PRIVATE posenc_dev posenc_test_opt)
add_test(NAME docs.encoder_reference
         COMMAND posenc_encoder_reference --check ${PROJECT_SOURCE_DIR}/docs/encodings.md)
set_tests_properties(docs.encoder_reference PROPERTIES LABELS "docs" TIMEOUT 60)
