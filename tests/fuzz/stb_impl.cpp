// The stb_image_write implementation for the fuzzers only (examples/common/image.hpp writes PNGs
// with it). The examples link Debian's prebuilt libstb instead. Never used by the library.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
