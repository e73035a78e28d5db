"""Given-name equivalence groups: nicknames, diminutives and common cross-language
forms used in New Mexico. Each line is one group; its first name is the group's
canonical form (used for blocking). A name may sit in several groups ("joe" is short
for Joseph and for José), and then it is equivalent to the members of each.

Names are written folded (lower case, no accents), as ``fold_name`` returns them.
"""

from __future__ import annotations

_GROUPS = """
abigail abby abbie gail
abraham abe bram
adrian adrien
agustin augustin gus tin
albert al bert bertie
alberto beto al
alejandro alex alejo jando
alexander alex alec sandy xander al zander
alexandra alex sandra sandy lexi alexa
alfonso poncho fonso al
alfred al alf alfie fred freddie
alfredo fredo freddy al
alicia ali licha alice
allison allie ally alison
amanda mandy manda
anastasia stacy stacey tasia
andrea andie drea
andrew andy drew
angela angie angel
anthony tony ant
antonio tony tono toni
antonia toni tona
arthur art artie
arturo art turo
barbara barb barbie babs
benjamin ben benny benji
bernard bernie bernardo
beatriz bea betty
calvin cal
carlos carl charlie carlitos
carolina carol caro lina
catherine cathy cat kate katie kathy katherine kathryn catalina
charles charlie chuck chas chaz carl
christina christine chris tina chrissy cristina
christopher chris topher kit cristobal
clifford cliff
concepcion concha conchita connie
consuelo chelo connie
cynthia cindy cyndi
daniel dan danny
david dave davey davy
deborah debbie deb debra
dolores lola lolita
donald don donnie
dorothy dot dottie dora
douglas doug
edward ed eddie ted ned eddy
eduardo lalo eddie ed edy
elizabeth liz beth betty eliza lisa libby betsy liza elisabeth isabel
emilio milo
enrique quique henry kiki
ernesto neto ernie
eugene gene
evangelina vangie eva
federico fede fred kiko
fernando nando fer
francis frank frankie fran
francisco paco pancho frank kiko cisco panchito frankie
frederick fred freddie freddy fritz
gabriel gabe gabby gabi
gabriela gaby gabi gabby
genevieve gen genny
gerald jerry gerry
gerardo jerry lalo gera
gilbert gil
gilberto gil beto
graciela chela grace gracie
gregory greg
guadalupe lupe lupita pita
guillermo memo willie william billy
harold harry hal
henry hank harry hal
herbert herb bert
ignacio nacho iggy
isabel isabella bella chabela belle
jacob jake jack
james jim jimmy jamie jimbo
jeffrey jeff
jennifer jen jenny jenn
jeronimo jerry
jesus chuy chucho jesse
jessica jess jessie
joan joanie
john jack johnny jon
jonathan jon johnny nathan
jorge george coque
jose pepe chepe joe joey pepito
josefina josie pepa fina
joseph joe joey jose
juan john johnny juanito
juana juanita jane
judith judy
katherine kate katie kathy kat kay
kenneth ken kenny
kimberly kim kimmy
lawrence larry laurie
leonard leo len lenny
leonardo leo nardo
lorenzo enzo loren
louis lou louie luis
luis lucho lou louie
manuel manny manolo meme
margaret maggie peggy meg marge margie greta
margarita margie mago rita maggie
maria ma mari mary marie
mary molly polly mae
matthew matt matty
melissa missy mel lisa
mercedes meche mercy
michael mike mikey mick mickey miguel
miguel mike mickey
nicholas nick nicky cole
nicolas nico nick
pamela pam
patricia pat patty trish tricia patsy
patrick pat paddy rick
peter pete
rafael rafa rafi ralph
ramon mon moncho ray
raymond ray
rebecca becky becca
refugio cuca cuco cuquita
reynaldo rey reyna nando
ricardo rick ricky rico richard
richard rick dick rich richie ricky
robert bob rob bobby robbie bert
roberto beto rob bobby tito
rodolfo rudy fito rudolph
ronald ron ronnie
rosalinda rosa linda rosie
rosario chayo charo
samantha sam sammy
samuel sam sammy
sandra sandy sandi
santiago santi chago jaime
socorro coco
stephanie steph stephany
steven steve stevie stephen esteban
susan sue susie suzy susana
teresa terry tere teri theresa
theodore ted teddy theo
thomas tom tommy tomas
timothy tim timmy
tomas tom tommy tomasito
valerie val
vicente chente vince
veronica vero ronnie
victoria vicky tori
vincent vince vinny
virginia ginny ginger
walter walt wally
william bill will billy willie liam willy
"""


def _build() -> dict[str, tuple[str, ...]]:
    """name -> canonical forms of every group it belongs to (sorted, unique)."""
    groups: dict[str, set[str]] = {}
    for line in _GROUPS.strip().splitlines():
        names = line.split()
        canonical = names[0]
        for name in names:
            groups.setdefault(name, set()).add(canonical)
    return {name: tuple(sorted(canons)) for name, canons in groups.items()}


NICKNAME_GROUPS: dict[str, tuple[str, ...]] = _build()


def canonical_forms(name: str) -> tuple[str, ...]:
    """The group canonicals of a folded given name, or the name itself if unknown."""
    return NICKNAME_GROUPS.get(name, (name,))


def are_nicknames(a: str, b: str) -> bool:
    """True if two folded given names belong to a common group."""
    ga = NICKNAME_GROUPS.get(a)
    gb = NICKNAME_GROUPS.get(b)
    if ga is None or gb is None:
        return False
    return not set(ga).isdisjoint(gb)
