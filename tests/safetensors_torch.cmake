# tests/safetensors_torch.cmake — PyTorch loads posenc's safetensors export (issue 3, model files).
#
# Builds tests/safetensors_torch/driver.cpp (exports small models, float and double, with their test
# points, encodings and predictions: four fixed encoders and nine multiresolution grids, 2D and 3D,
# dense and hashed levels, linear and smoothstep, tcnn and vertex alignment) and adds the CTest entry
# `safetensors_torch`, which runs tests/safetensors_torch/check.py: it parses the files with plain
# Python (json + torch.frombuffer, no `safetensors` package), loads the weights into a torch.nn.Linear
# stack with load_state_dict and requires torch's forward pass to equal posenc's prediction (1e-5 in
# float32, 1e-12 in float64). For a grid, the encoding itself is recomputed in PyTorch from the points
# and the exported table "encoder.grid.table" (check.py's grid_encode) and must match posenc's too.
# Reported as skipped (POSENC_SKIP) when no python3 with torch is found (Debian: python3-torch).
# /usr/bin/python3 is preferred: a pyenv/venv python3 first on PATH usually lacks torch.

add_executable(safetensors_torch_driver ${CMAKE_CURRENT_LIST_DIR}/safetensors_torch/driver.cpp)
target_link_libraries(safetensors_torch_driver PRIVATE posenc_dev_compiled posenc_test_opt)

find_program(POSENC_TORCH_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT POSENC_TORCH_PYTHON)
  find_program(POSENC_TORCH_PYTHON NAMES python3)
endif()
if(POSENC_TORCH_PYTHON)
  add_test(NAME safetensors_torch
    COMMAND ${POSENC_TORCH_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/safetensors_torch/check.py
            $<TARGET_FILE:safetensors_torch_driver> ${CMAKE_CURRENT_BINARY_DIR}/safetensors_torch)
else()
  add_test(NAME safetensors_torch COMMAND ${CMAKE_COMMAND} -E echo "POSENC_SKIP: no python3 found")
endif()
set_tests_properties(safetensors_torch PROPERTIES SKIP_REGULAR_EXPRESSION "POSENC_SKIP: " TIMEOUT 300
                     ENVIRONMENT "OMP_NUM_THREADS=2")
