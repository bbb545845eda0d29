// The stb_image / stb_image_write implementations for the fuzzers only. The examples link Debian's
// prebuilt libstb instead; compiling the same headers here lets the fuzzer instrument the decoders
// (coverage feedback + AddressSanitizer checks inside stb). Never used by the library or examples.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image.h>
#include <stb_image_write.h>
