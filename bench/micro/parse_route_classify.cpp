// The per-message work of the daemon, measured on its own: daemon::decide()
// (parse -> route -> classify documents -> assess -> reply text), the function
// the pipeline calls for every message before it files anything, on the
// deterministic corpus of bench/corpus.py with the shipped configuration.
// Nothing here touches a server, the disk or the state database, so the
// numbers are the CPU cost of deciding, one message after another on one core.
//
// Cases:
//   parse          mime::parse_message alone (the share of MIME and decoding)
//   decide/text:0  decide() with document text not read (every Text empty), the
//                  issue 13 target: at least 150 MB/s
//   decide/text:1  decide() with every document's text read in a contained child
//                  process of this one per document (fork, rlimits, poppler/libzip),
//                  as `intake parse` reads them
//   decide/text:2  decide() with every document's text already read (once, before
//                  timing, by the reader service): what the daemon's decide threads
//                  spend on text themselves (roles, language, feedback)
//
// Time is CPU time, children's included (cpu_seconds), so the numbers are per
// core and mostly immune to other load on the machine; getrusage counts in
// microseconds, which is fine for messages that take a millisecond or more.
// The corpus directory comes from the first argument that is not a benchmark
// flag, else $INTAKE_BENCH_CORPUS; `make bench-micro` makes one and runs this.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "base/errors.h"
#include "config/config.h"
#include "daemon/decide.h"
#include "docs/docs.h"
#include "mime/mime.h"
#include "route/route.h"

namespace {

namespace fs = std::filesystem;
using namespace intake;

struct Message {
    std::string raw;
    const config::Mailbox* mailbox;
    const config::Organisation* organisation;
};

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// DIR/<organisation id>/*.eml, in name order so that every run sees the same sequence;
/// each message goes to the configured mailbox of its organisation.
std::vector<Message> load_corpus(const fs::path& dir, const config::Config& config) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().extension() == ".eml") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    std::vector<Message> messages;
    for (const auto& file : files) {
        const std::string org = file.parent_path().filename().string();
        const auto mailbox = std::find_if(config.mailboxes.begin(), config.mailboxes.end(),
                                          [&](const auto& m) { return m.organisation == org; });
        if (mailbox == config.mailboxes.end()) {
            throw ConfigError("no mailbox of organisation '" + org + "' for " + file.string(),
                              "make the corpus with bench/micro/make_corpus.py");
        }
        messages.push_back(
            {read_file(file), &*mailbox, config.find_organisation(mailbox->organisation)});
    }
    return messages;
}

/// CPU seconds of this process and of its reaped children: with document text
/// the work is done in a child per document, which the process's own CPU clock
/// (Google Benchmark's default) would not count, and wall time on a shared
/// machine would count other people's work.
double cpu_seconds() {
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    rusage self{};
    rusage children{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    return seconds(self.ru_utime) + seconds(self.ru_stime) + seconds(children.ru_utime) +
           seconds(children.ru_stime);
}

/// Every message in turn, round and round; bytes are the raw message sizes, time
/// is CPU time (cpu_seconds).
template <typename Work>
void each_message(benchmark::State& state, const std::vector<Message>& corpus, Work work) {
    std::size_t next = 0;
    std::int64_t bytes = 0;
    std::int64_t items = 0;
    for (auto _ : state) {
        const Message& m = corpus[next];
        next = (next + 1) % corpus.size();
        const double start = cpu_seconds();
        work(m);
        state.SetIterationTime(cpu_seconds() - start);
        bytes += static_cast<std::int64_t>(m.raw.size());
        ++items;
    }
    state.SetBytesProcessed(bytes);
    state.SetItemsProcessed(items);
}

void parse_only(benchmark::State& state, const std::vector<Message>& corpus,
                const config::Config& config) {
    const mime::Limits limits = daemon::mime_limits(config.limits);
    each_message(state, corpus, [&](const Message& m) {
        auto parsed = mime::parse_message(m.raw, limits);
        benchmark::DoNotOptimize(parsed);
    });
}

/// Every message's document texts, read once through the reader service.
std::map<const Message*, std::vector<docs::Text>> read_every_text(
    const std::vector<Message>& corpus, const config::Config& config) {
    docs::ReaderService service;
    std::map<const Message*, std::vector<docs::Text>> texts;
    for (const Message& m : corpus) {
        daemon::MessageContext context{config, *m.mailbox, *m.organisation,
                                       std::chrono::system_clock::now(), &service};
        (void)daemon::decide(
            m.raw, context, [&](const std::vector<const mime::Attachment*>& documents) {
                texts[&m] =
                    docs::read_texts(documents, daemon::extract_limits(config.limits), &service);
                return texts[&m];
            });
    }
    return texts;
}

void decide_all(benchmark::State& state, const std::vector<Message>& corpus,
                const config::Config& config) {
    const auto text = state.range(0);
    // Without text every document is as if its format were unreadable: roles come
    // from file names only, and no child process is started.
    const docs::TextReader no_text = [](const std::vector<const mime::Attachment*>& documents) {
        return std::vector<docs::Text>(documents.size());
    };
    const auto already_read = text == 2 ? read_every_text(corpus, config)
                                        : std::map<const Message*, std::vector<docs::Text>>{};
    // As the daemon does: one router per organisation, made before the messages.
    std::map<const config::Organisation*, std::unique_ptr<const route::Router>> routers;
    for (const config::Organisation& org : config.organisations) {
        routers[&org] = std::make_unique<const route::Router>(org);
    }
    each_message(state, corpus, [&](const Message& m) {
        const daemon::MessageContext context{config,          *m.mailbox,
                                             *m.organisation, std::chrono::system_clock::now(),
                                             nullptr,         routers.at(m.organisation).get()};
        std::unique_ptr<daemon::Decision> decision;
        if (text == 0) {
            decision = daemon::decide(m.raw, context, no_text);
        } else if (text == 1) {
            decision = daemon::decide(m.raw, context);
        } else {
            decision =
                daemon::decide(m.raw, context, [&](const auto&) { return already_read.at(&m); });
        }
        benchmark::DoNotOptimize(decision);
    });
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    std::string dir = argc > 1 ? argv[1] : "";
    if (dir.empty()) {
        if (const char* env = std::getenv("INTAKE_BENCH_CORPUS")) dir = env;
    }
    if (dir.empty() || !fs::is_directory(dir)) {
        std::cerr << "usage: " << argv[0] << " [benchmark flags] CORPUS_DIR"
                  << " (or INTAKE_BENCH_CORPUS=CORPUS_DIR)\n"
                  << "make one with: python3 bench/micro/make_corpus.py --out CORPUS_DIR\n";
        return 2;
    }
    try {
        const config::Config config = config::load_config(INTAKE_SOURCE_DIR "/config/intake.toml");
        const std::vector<Message> corpus = load_corpus(dir, config);
        if (corpus.empty()) {
            std::cerr << "no .eml files under " << dir << "\n";
            return 2;
        }
        std::size_t bytes = 0;
        for (const auto& m : corpus) bytes += m.raw.size();
        benchmark::AddCustomContext("corpus", std::to_string(corpus.size()) + " messages, " +
                                                  std::to_string(bytes / 1000) + " kB");
        benchmark::RegisterBenchmark("parse", parse_only, std::cref(corpus), std::cref(config))
            ->UseManualTime();
        benchmark::RegisterBenchmark("decide", decide_all, std::cref(corpus), std::cref(config))
            ->UseManualTime()
            ->ArgName("text")
            ->Arg(0)
            ->Arg(1)
            ->Arg(2);
        benchmark::RunSpecifiedBenchmarks();
        benchmark::Shutdown();
    } catch (const intake::Error& e) {
        std::cerr << describe(e) << "\n";
        return 2;
    }
    return 0;
}
