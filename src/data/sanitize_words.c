/*
 * sanitize_words.c - the word lists behind fake_name, fake_phone and
 * fake_address. Written for dbward: common given names and surnames, street
 * names and towns, chosen to look ordinary, not to be anyone in particular.
 * The lists only decide how outputs look; the keyed hash decides which
 * words a value gets (sanitize_transform.c).
 */
#include <stddef.h>

#include "data/sanitize.h"

static const char *const first_names[] = {
    "Ada",   "Alan",   "Alice", "Amir",  "Anna",  "Arjun", "Beatriz", "Ben",    "Carla",  "Chen",
    "Chloe", "Daniel", "Dara",  "David", "Elena", "Emma",  "Farah",   "Felix",  "Grace",  "Hana",
    "Hugo",  "Ines",   "Ivan",  "Jack",  "Jana",  "Jonas", "Julia",   "Kai",    "Karim",  "Laura",
    "Leo",   "Lina",   "Lucas", "Maria", "Marta", "Mateo", "Maya",    "Mei",    "Mia",    "Nadia",
    "Noah",  "Nora",   "Omar",  "Oscar", "Paula", "Pedro", "Priya",   "Rafael", "Rosa",   "Ruth",
    "Sam",   "Sara",   "Sofia", "Tariq", "Theo",  "Tomas", "Uma",     "Vera",   "Victor", "Wei",
    "Yara",  "Yusuf",  "Zoe",   "Zora",
};

static const char *const last_names[] = {
    "Abbott",  "Adler",  "Almeida", "Baker",   "Bauer",   "Berg",  "Brooks",    "Castro",
    "Clarke",  "Costa",  "Dalton",  "Dias",    "Ellis",   "Evans", "Fischer",   "Fleming",
    "Garcia",  "Gray",   "Hansen",  "Harper",  "Ibrahim", "Ito",   "Jensen",    "Kaur",
    "Keller",  "Kim",    "Larsen",  "Lopez",   "Meyer",   "Mills", "Moreau",    "Nakamura",
    "Navarro", "Nguyen", "Novak",   "Olsen",   "Owens",   "Patel", "Perez",     "Quinn",
    "Reyes",   "Rossi",  "Sato",    "Schmidt", "Silva",   "Singh", "Stone",     "Tanaka",
    "Torres",  "Turner", "Vargas",  "Vogel",   "Wagner",  "Walsh", "Weber",     "Young",
    "Yilmaz",  "Zhang",  "Ziegler", "Moss",    "Hale",    "Frost", "Lindqvist", "Okafor",
};

static const char *const streets[] = {
    "Oak",      "Maple",  "Cedar",   "Elm",    "Willow", "Birch",  "Pine",     "Chestnut",
    "Harbor",   "Mill",   "Station", "Church", "School", "Park",   "Lake",     "River",
    "Hill",     "Meadow", "Orchard", "Garden", "Bridge", "Market", "King",     "Queen",
    "Victoria", "Albert", "Spring",  "Sunset", "Forest", "Valley", "Highland", "Canal",
};

static const char *const street_suffixes[] = {
    "Street", "Avenue", "Road", "Lane", "Drive", "Court", "Way", "Place",
};

static const char *const cities[] = {
    "Springfield", "Riverton",  "Lakeside",   "Fairview",   "Greenville",  "Oakridge",
    "Milford",     "Ashford",   "Brookhaven", "Clearwater", "Kingsport",   "Westbury",
    "Northfield",  "Eastwood",  "Hillcrest",  "Bayview",    "Stonebridge", "Maplewood",
    "Redmond",     "Fairhaven", "Glenwood",   "Harborview", "Linton",      "Newbury",
};

#define LIST(a)                                                                                    \
	{                                                                                          \
		a, sizeof(a) / sizeof(a[0])                                                        \
	}

const dbw_wordlist dbw_words_first = LIST(first_names);
const dbw_wordlist dbw_words_last = LIST(last_names);
const dbw_wordlist dbw_words_street = LIST(streets);
const dbw_wordlist dbw_words_street_suffix = LIST(street_suffixes);
const dbw_wordlist dbw_words_city = LIST(cities);
