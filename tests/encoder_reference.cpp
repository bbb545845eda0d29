// tests/encoder_reference.cpp — prints, checks or rewrites the factory's reference table in docs/encodings.md.
//
// The table is generated from the factory's registry (posenc::encoder_reference_markdown(),
// include/posenc/encoding/factory.hpp) and sits in docs/encodings.md between the lines
// `<!-- encoder_reference: begin -->` and `<!-- encoder_reference: end -->`.
//
//     posenc_encoder_reference                     print the generated table
//     posenc_encoder_reference --check FILE        exit 1 with a diff-like message if FILE's table differs
//     posenc_encoder_reference --update FILE       rewrite FILE's table (regenerate the docs)
//
// Bad usage or a file without the markers: one line on stderr, exit code 2.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "posenc/encoding/factory.hpp"

namespace {

const std::string kBegin = "<!-- encoder_reference: begin -->\n";
const std::string kEnd = "<!-- encoder_reference: end -->";

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> v;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) v.push_back(line);
    return v;
}

int usage_error(const std::string& msg) {
    std::fprintf(stderr, "posenc_encoder_reference: %s\n", msg.c_str());
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string generated = posenc::encoder_reference_markdown();
    if (argc == 1) {
        std::fputs(generated.c_str(), stdout);
        return 0;
    }
    const std::string mode = argv[1];
    if (argc != 3 || (mode != "--check" && mode != "--update"))
        return usage_error("usage: posenc_encoder_reference [--check FILE | --update FILE]");
    const std::string path = argv[2];
    std::string text;
    {
        std::ifstream in(path, std::ios::binary);
        if (!in) return usage_error("cannot read " + path);
        std::ostringstream ss;
        ss << in.rdbuf();
        text = ss.str();
    }
    const std::size_t b = text.find(kBegin);
    const std::size_t e = b == std::string::npos ? b : text.find(kEnd, b);
    if (b == std::string::npos || e == std::string::npos)
        return usage_error(path + " has no \"" + kBegin.substr(0, kBegin.size() - 1) + "\" ... \"" + kEnd + "\" block");
    const std::size_t start = b + kBegin.size();
    const std::string current = text.substr(start, e - start);
    if (mode == "--update") {
        if (current == generated) return 0;
        std::ofstream out(path, std::ios::binary);
        out << text.substr(0, start) << generated << text.substr(e);
        if (!out) return usage_error("cannot write " + path);
        std::printf("updated %s\n", path.c_str());
        return 0;
    }
    if (current == generated) {
        std::printf("%s: the encoder reference matches the factory's registry\n", path.c_str());
        return 0;
    }
    // Diff-like report: the first differing lines (- in the file, + generated), then how to regenerate.
    const auto have = lines_of(current), want = lines_of(generated);
    std::printf("%s: the encoder reference differs from the factory's registry\n", path.c_str());
    int shown = 0;
    const std::size_t n = std::max(have.size(), want.size());
    for (std::size_t i = 0; i < n && shown < 10; ++i) {
        const std::string* h = i < have.size() ? &have[i] : nullptr;
        const std::string* w = i < want.size() ? &want[i] : nullptr;
        if (h && w && *h == *w) continue;
        std::printf("@@ table line %zu\n", i + 1);
        if (h) std::printf("- %s\n", h->c_str());
        if (w) std::printf("+ %s\n", w->c_str());
        ++shown;
    }
    std::printf("regenerate with: <build>/tests/posenc_encoder_reference --update docs/encodings.md\n");
    return 1;
}
