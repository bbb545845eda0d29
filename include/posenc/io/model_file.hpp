// posenc/io/model_file.hpp — save and load a Model (encoder spec + MLP config + weights) in posenc's
// versioned, checksummed binary format: the format (model_file/format.hpp), the reader
// (model_file/read.hpp: parse_model_file, model_from_bytes, load_model, model_file_info) and the writer
// (model_file/write.hpp: model_to_bytes, save_model). Format, versioning policy and guarantees:
// docs/model_files.md.
#pragma once
#include "posenc/io/model_file/format.hpp"
#include "posenc/io/model_file/read.hpp"
#include "posenc/io/model_file/write.hpp"
