#include "core/opencc_dict.h"

#include <cstdio>
#include <exception>
#include <string>

#include <opencc/Config.hpp>
#include <opencc/Conversion.hpp>
#include <opencc/ConversionChain.hpp>
#include <opencc/Converter.hpp>
#include <opencc/Dict.hpp>
#include <opencc/DictEntry.hpp>
#include <opencc/Lexicon.hpp>

namespace
{

void set_message(char *msg, size_t msg_size, const char *text)
{
	if (msg && msg_size)
		std::snprintf(msg, msg_size, "%s", text);
}

} // namespace

/*
 * OpenCC's Conversion::Convert, for each place of a segment, takes the longest
 * key of its dictionary (a group: the first of its dictionaries that has one)
 * that starts there and writes that entry's default value, or copies one
 * character when no key starts there. A DictGroup's lexicon is the keys of all
 * its dictionaries, so walking it gives every key the conversion can match.
 */
extern "C" int fq_opencc_dict_keys(const char *config, fq_opencc_key_fn fn, void *ctx, char *msg,
				   size_t msg_size)
{
	set_message(msg, msg_size, "");
	try {
		opencc::Config loader;
		opencc::ConverterPtr converter = loader.NewFromFile(config);

		for (const opencc::ConversionPtr &conversion :
		     converter->GetConversionChain()->GetConversions()) {
			opencc::LexiconPtr lexicon = conversion->GetDict()->GetLexicon();

			for (const std::unique_ptr<opencc::DictEntry> &entry : *lexicon) {
				const std::string key = entry->Key();
				const bool changes = entry->GetDefault() != key;
				int rc = fn(ctx, key.data(), key.size(), changes);

				if (rc)
					return rc;
			}
		}
	} catch (const std::exception &e) {
		set_message(msg, msg_size, e.what());
		return -1;
	} catch (...) {
		set_message(msg, msg_size, "unknown OpenCC error");
		return -1;
	}
	return 0;
}
