"""Country names for benchmark data: real names, so generated documents read like the archive."""

NAMES = """Afghanistan Albania Algeria Angola Argentina Armenia Australia Austria Azerbaijan Bahrain
Bangladesh Belarus Belgium Belize Benin Bhutan Bolivia Botswana Brazil Brunei Bulgaria Burundi
Cameroon Canada Chad Chile China Colombia Comoros Congo Croatia Cuba Cyprus Czechia Denmark
Djibouti Dominica Ecuador Egypt Eritrea Estonia Eswatini Ethiopia Fiji Finland France Gabon Gambia
Georgia Germany Ghana Greece Grenada Guatemala Guinea Guyana Haiti Honduras Hungary Iceland India
Indonesia Iran Iraq Ireland Israel Italy Jamaica Japan Jordan Kazakhstan Kenya Kiribati Kuwait
Kyrgyzstan Latvia Lebanon Lesotho Liberia Libya Liechtenstein Lithuania Luxembourg Madagascar
Malawi Malaysia Maldives Mali Malta Mauritania Mauritius Mexico Micronesia Moldova Monaco Mongolia
Montenegro Morocco Mozambique Myanmar Namibia Nauru Nepal Netherlands Nicaragua Niger Nigeria
Norway Oman Pakistan Palau Panama Paraguay Peru Philippines Poland Portugal Qatar Romania Russia
Rwanda Samoa Senegal Serbia Seychelles Singapore Slovakia Slovenia Somalia Somaliland Spain
Sudan Suriname Sweden Switzerland Syria Tajikistan Tanzania Thailand Togo Tonga Tunisia Turkey
Turkmenistan Tuvalu Uganda Ukraine Uruguay Uzbekistan Vanuatu Venezuela Vietnam Yemen Zambia
Zimbabwe Andorra Barbados Cambodia Ecuador Palestine Kosovo""".split()

EXTRA = [
    "Bosnia and Herzegovina",
    "Burkina Faso",
    "Cabo Verde",
    "Central African Republic",
    "Costa Rica",
    "Côte d'Ivoire",
    "Dominican Republic",
    "El Salvador",
    "Equatorial Guinea",
    "Guinea-Bissau",
    "Lao PDR",
    "Marshall Islands",
    "Nagorno-Karabakh",
    "New Zealand",
    "North Macedonia",
    "Papua New Guinea",
    "Saint Lucia",
    "San Marino",
    "Saudi Arabia",
    "Sierra Leone",
    "Solomon Islands",
    "South Africa",
    "South Sudan",
    "Sri Lanka",
    "Timor-Leste",
    "Trinidad and Tobago",
    "United Arab Emirates",
    "United Kingdom",
    "United States",
    "Western Sahara",
]

COUNTRIES = sorted(set(NAMES) | set(EXTRA))
