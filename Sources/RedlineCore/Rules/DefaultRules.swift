/// The built-in rules, as a rules file: `redline rules show` prints it as the starting point for
/// a county's own file. docs/rules.md explains every key.
enum DefaultRules {
    static let yaml = #"""
# redline rules, version 1 — the built-in defaults.
#
# Rules are read from the top: the FIRST rule whose kind, zones and activities all match a patch
# decides its verdict and severity. Put exceptions above the general rule they refine.
#
# Sources (cited on each rule as S1…S5):
#   S1 《中华人民共和国自然保护区条例》(1994, revised 2017): art. 18 zoning; art. 26 no mining,
#      quarrying, sand digging, land reclamation in a reserve; art. 27 no entry to the core zone,
#      research entry only with approval; art. 28 no tourism or production in the buffer zone,
#      non-destructive research with approval; art. 29 tourism in the experimental zone only under an
#      approved plan; art. 32 no production facilities in core and buffer zones, none that pollute or
#      damage resources or landscape in the experimental zone.
#   S2 中共中央办公厅 国务院办公厅《关于建立以国家公园为主体的自然保护地体系的指导意见》(2019):
#      core protection zone — human activity banned in principle; general control zone — development
#      and production construction banned, limited human activities allowed.
#   S3 中共中央办公厅 国务院办公厅《关于在国土空间规划中统筹划定落实三条控制线的指导意见》(2019):
#      inside a red line, development and production construction banned in principle.
#   S4 自然资源部 生态环境部 国家林业和草原局《关于加强生态保护红线管理的通知（试行）》
#      (自然资发〔2022〕142号): inside a red line and outside core protection zones, development
#      and production construction are banned and only ten kinds of limited human activity that
#      do not damage ecological function are allowed, item by item:
#        (1) 管护巡护、保护执法、科学研究、调查监测、测绘导航、防灾减灾救灾、军事国防、疫情防控 and
#            their necessary facilities;
#        (2) residents' and other lawful holders' farming, grazing, fishing and aquaculture and the
#            buildings they live and work in, without enlarging construction land, farmland,
#            aquaculture or grazing intensity;
#        (3) approved archaeology, palaeontological excavation, specimen collection, heritage work;
#        (4) tending and felling of man-made commercial forest, tree-species renewal, fire breaks,
#            lawful bamboo management;
#        (5) moderate tourism and public education that do not damage ecological function, with
#            planned service and public facilities;
#        (6) unavoidable linear infrastructure, telecommunication, flood-control and water-supply
#            works, channel dredging, and upkeep of existing lawful water and transport works;
#        (7) geological survey and a narrow list of mineral exploration and mining (strategic
#            minerals, existing oil, gas, mineral water and geothermal at their approved scale);
#        (8) ecological restoration under county-level or higher spatial and restoration plans;
#        (9) clearing border sight lines and building, keeping and removing boundary works;
#        (10) other human activities that laws and regulations allow.
#      Items (6), (7) and (10) go through approval procedures, so redline asks for the approval;
#      general mining stays prohibited, and only a field check can find an allowed case.
#   S5 How redline judges, not a regulation: an activity the rules may allow is flagged as
#      possibly permitted and never cleared — permitted_limited patches stay in the clue list,
#      marked, for the field team to confirm; a kind of protection the rules do not know is
#      left for a person to judge.
#   S6 Deadlines are practice, not a regulation: provincial notices on satellite clues (卫片执法,
#      绿盾) commonly give a month for the field check and three months for the rectification of a
#      serious problem; the days below follow that. Set your province's own.

version: 1

# Canonical activity types, and the values real data writes for them (Chinese, English, codes).
# A data value matches when it equals a value here (case, spaces, _ and - aside), else when it
# contains one (露天采矿 → mining). A value containing values of several types takes the type
# listed FIRST here, so the list goes from the strictest to the most lenient: 以生态修复名义采矿
# is mining, not restoration. Values that match nothing become “unknown” and are reported.
activity_types:
  mining:
    label_zh: 采矿
    label_en: Mining and quarrying
    values: [采矿, 采石, 采砂, 挖沙, 开矿, 矿山, 矿产, 矿产资源开发, 采坑, 煤矿, 露天矿, mining, mine, quarry, quarrying, sand mining, opencast]
  industrial:
    label_zh: 工业
    label_en: Industry
    values: [工业, 工矿, 工矿用地, 工业用地, 工厂, 厂房, 工业园, industry, industrial, factory]
  energy:
    label_zh: 能源
    label_en: Energy
    values: [能源, 光伏, 风电, 水电, 电站, 光伏电站, 风电场, 水电站, 输电, energy, solar, photovoltaic, pv, wind, wind farm, hydropower, power plant]
  exploration:
    label_zh: 地质勘查
    label_en: Geological survey and exploration
    values: [地质调查, 地质勘查, 矿产勘查, 矿产资源勘查, 勘查, 勘探, 钻探, 物探, 探矿, 油气, 油井, 气井, 油田, 地热, 矿泉水, exploration, prospecting, drilling, geological survey, oil well, gas well, geothermal]
  transport:
    label_zh: 交通
    label_en: Transport
    values: [交通, 道路, 公路, 铁路, 机场, 桥梁, 交通设施, road, railway, highway, transport, transportation, airport]
  water:
    label_zh: 水利
    label_en: Water works
    values: [水利, 水库, 水坝, 堤坝, 渠道, 水利设施, 供水, 防洪, 航道, 疏浚, 航道疏浚, water, reservoir, dam, canal, irrigation, flood control, dredging]
  telecom:
    label_zh: 通讯设施
    label_en: Telecommunication
    values: [通讯, 通信, 基站, 通讯基站, 通信基站, 通信铁塔, 铁塔, 通信光缆, 光缆, telecom, telecommunication, base station, cell tower, mast]
  breeding:
    label_zh: 养殖
    label_en: Breeding and aquaculture
    values: [养殖, 养殖场, 畜牧, 鱼塘, 网箱, breeding, aquaculture, livestock, fish pond]
  tourism:
    label_zh: 旅游
    label_en: Tourism
    values: [旅游, 旅游设施, 景区, 度假, 宾馆, 酒店, 科普, 宣教, 科普宣教, 参观, 观景台, 游步道, tourism, tourist, resort, hotel, ecotourism, visitor centre, public education]
  settlement:
    label_zh: 居民点
    label_en: Settlement
    values: [居民点, 居住, 住宅, 村庄, 民房, 房屋, settlement, residential, housing, village]
  agriculture:
    label_zh: 农业开发
    label_en: Agricultural development
    values: [农业, 农业开发, 农业用地, 耕地, 开垦, 农田, 种植, 大棚, agriculture, agricultural, farmland, cropland, cultivation, reclamation]
  forestry:
    label_zh: 抚育采伐
    label_en: Forest tending and felling
    values: [抚育, 抚育采伐, 森林抚育, 人工商品林, 树种更新, 竹林采伐, 防火隔离带, 生物防火隔离带, forest tending, thinning, commercial forest, bamboo harvesting, firebreak]
  grazing:
    label_zh: 放牧
    label_en: Grazing
    values: [放牧, 牧场, 棚圈, 牲畜棚圈, 牧道, 转场牧道, 牧民定居点, grazing, pasture, herding]
  other:
    label_zh: 其他人工设施
    label_en: Other facilities
    values: [其他, 其他人工设施, 人工设施, 建筑, 构筑物, 建设, 设施, other, facility, construction, building]
  archaeology:
    label_zh: 考古与文物保护
    label_en: Archaeology and heritage
    values: [考古, 考古发掘, 考古调查, 文物保护, 古生物化石, 化石发掘, 标本采集, archaeology, archaeological, heritage site, fossil excavation, specimen collection]
  research:
    label_zh: 科研监测
    label_en: Research and monitoring
    values: [科研, 监测, 科研监测, 观测, 调查监测, 监测站, 观测站, 科学研究, research, monitoring, observation]
  stewardship:
    label_zh: 管护巡护
    label_en: Patrol, enforcement and public safety
    values: [管护, 巡护, 管护巡护, 管护站, 保护站, 巡护道路, 执法, 保护执法, 测绘, 导航, 测绘导航, 防灾, 减灾, 救灾, 防灾减灾, 防火, 军事, 国防, 军事国防, 疫情防控, 防疫, patrol, ranger, ranger station, law enforcement, surveying, navigation, disaster relief, fire prevention, military, defence, defense, epidemic control]
  restoration:
    label_zh: 生态修复
    label_en: Ecological restoration
    values: [生态修复, 生态恢复, 植被恢复, 复绿, 矿山修复, 矿山生态修复, 土地复垦, 退耕还林, 退耕还草, 造林, 植树造林, 湿地修复, restoration, ecological restoration, revegetation, reforestation, rehabilitation]
  border:
    label_zh: 边境设施
    label_en: Border works
    values: [边境, 边防, 通视道, 边境通视道, 边界通视道, 界务, 界务工程, 界碑, 界桩, border, border works, boundary marker, sight line clearing]
# Smallest overlap that makes a clue, per zone; a zone's own value wins over --min-overlap-m2 /
# --min-overlap-share, which win over “default”.
thresholds:
  default:
    min_overlap_m2: 1        # below a square metre is digitising noise
    min_overlap_share: 0
  # Example: count any footprint in a core zone, but only red-line overlaps of 100 m² or more.
  #  core:
  #    min_overlap_m2: 0.01
  #  red_line:
  #    min_overlap_m2: 100

# Deadlines (期限) in days, by the clue's verdict and severity; the first entry that matches
# decides. verify_days runs from the day a clue is issued to its field check (实地核查),
# rectify_days from a true finding (属实) to the rectification (整改), accept_days from the
# rectification to its acceptance and sign-off (验收销号). A returned checklist's 整改期限 column
# overrides the rectification deadline of its clue. (S6)
deadlines:
  - verdict: prohibited
    severity: high
    verify_days: 30
    rectify_days: 90
    accept_days: 30
  - verdict: prohibited
    severity: any
    verify_days: 30
    rectify_days: 120
    accept_days: 30
  - verdict: any
    severity: any
    verify_days: 60
    rectify_days: 180
    accept_days: 60

rules:
  # ── Nature reserves: core zone (old scheme) and core protection zone (new scheme) ──
  - id: NR-CORE-RESEARCH
    kind: nature_reserve
    zones: [core, core_protection]
    activities: [research, stewardship]
    verdict: needs_approval
    severity: medium
    reason_zh: 核心区禁止进入；因科学研究确需进入的，须经自然保护区管理机构批准。
    reason_en: No entry to a core zone; research entry needs the reserve authority's approval.
    source: S1 art. 27; S2
  - id: NR-CORE-ANY
    kind: nature_reserve
    zones: [core, core_protection]
    activities: any
    verdict: prohibited
    severity: high
    reason_zh: 核心区（核心保护区）原则上禁止人为活动，不得建设任何生产设施。
    reason_en: Human activity is banned in principle in a core (protection) zone; no production facility may be built.
    source: S1 art. 26, 27, 32; S2

  # ── Nature reserves, every zone: mining ──
  - id: NR-MINING
    kind: nature_reserve
    zones: any
    activities: [mining]
    verdict: prohibited
    severity: high
    reason_zh: 自然保护区内禁止开矿、采石、挖沙等活动。
    reason_en: Mining, quarrying and sand digging are banned anywhere in a nature reserve.
    source: S1 art. 26

  # ── Buffer zone (old scheme) ──
  - id: NR-BUFFER-RESEARCH
    kind: nature_reserve
    zones: [buffer]
    activities: [research, stewardship]
    verdict: needs_approval
    severity: low
    reason_zh: 缓冲区只准从事非破坏性的科学研究、教学实习，须事先批准。
    reason_en: Only non-destructive research and teaching, approved in advance, are allowed in a buffer zone.
    source: S1 art. 28
  - id: NR-BUFFER-ANY
    kind: nature_reserve
    zones: [buffer]
    activities: any
    verdict: prohibited
    severity: high
    reason_zh: 缓冲区禁止开展旅游和生产经营活动，不得建设任何生产设施。
    reason_en: Tourism, production and any production facility are banned in a buffer zone.
    source: S1 art. 28, 32

  # ── Experimental zone (old scheme) ──
  - id: NR-EXP-POLLUTING
    kind: nature_reserve
    zones: [experimental]
    activities: [industrial, energy]
    verdict: prohibited
    severity: high
    reason_zh: 实验区内不得建设污染环境、破坏资源或者景观的生产设施。
    reason_en: No facility that pollutes or damages resources or landscape may be built in an experimental zone.
    source: S1 art. 32
  - id: NR-EXP-RECLAMATION
    kind: nature_reserve
    zones: [experimental]
    activities: [agriculture]
    verdict: prohibited
    severity: medium
    reason_zh: 自然保护区内禁止开垦、烧荒；新增耕地须核实是否为原有耕作。
    reason_en: Land reclamation is banned in a reserve; new farmland must be checked against existing farming.
    source: S1 art. 26
  - id: NR-EXP-RESEARCH
    kind: nature_reserve
    zones: [experimental]
    activities: [research, stewardship, restoration]
    verdict: permitted_limited
    severity: low
    reason_zh: 实验区可以从事科学试验、教学实习、参观考察等活动；管护和生态修复须核实按保护区规划实施。
    reason_en: Research, teaching and visits are allowed in an experimental zone; check that patrol works and restoration follow the reserve's plan.
    source: S1 art. 18; S5
  - id: NR-EXP-ANY
    kind: nature_reserve
    zones: [experimental]
    activities: any
    verdict: needs_approval
    severity: medium
    reason_zh: 实验区内的旅游及其他建设须符合批准的方案并经审批。
    reason_en: Tourism and other building in an experimental zone must follow an approved plan.
    source: S1 art. 29, 32

  # ── General control zone (new scheme) ──
  - id: NR-GC-DEVELOPMENT
    kind: nature_reserve
    zones: [general_control]
    activities: [industrial, energy]
    verdict: prohibited
    severity: high
    reason_zh: 一般控制区内禁止开发性、生产性建设活动。
    reason_en: Development and production construction are banned in a general control zone.
    source: S2
  - id: NR-GC-LIMITED
    kind: nature_reserve
    zones: [general_control]
    activities: [research, stewardship, settlement, agriculture, grazing, archaeology, forestry, tourism, restoration, border]
    verdict: permitted_limited
    severity: low
    reason_zh: 一般控制区允许对生态功能不造成破坏的有限人为活动（管护科研、原住居民生产生活、考古、抚育采伐、适度旅游、生态修复、边境工程等），须核实属于所列情形且未扩大。
    reason_en: Limited activities that do not harm ecological function (patrol and research, residents' farming and grazing, archaeology, forest tending, moderate tourism, restoration, border works) are allowed; check the case and that it has not grown.
    source: S2; S4 items 1-5, 8, 9; S5
  - id: NR-GC-ANY
    kind: nature_reserve
    zones: [general_control]
    activities: any
    verdict: needs_approval
    severity: medium
    reason_zh: 一般控制区内的线性基础设施及其他建设须依法审批。
    reason_en: Linear infrastructure and other building in a general control zone need approval.
    source: S2; S4

  # ── Reserve polygons without a zone ──
  - id: NR-UNZONED-DEVELOPMENT
    kind: nature_reserve
    zones: [unzoned]
    activities: [industrial, energy]
    verdict: prohibited
    severity: high
    reason_zh: 自然保护区内不得建设污染环境、破坏资源或者景观的生产设施；分区不明，按从严处理。
    reason_en: No polluting or damaging facility may be built in a reserve; the zone is unknown, so the strict reading applies.
    source: S1 art. 32
  - id: NR-UNZONED-ANY
    kind: nature_reserve
    zones: [unzoned]
    activities: any
    verdict: needs_approval
    severity: medium
    reason_zh: 保护区图层未标明功能分区，需核实所在分区后判定。
    reason_en: The reserve layer gives no zone; find the zone before judging.
    source: S1 art. 18

  # ── Ecological protection red lines ──
  - id: RL-DEVELOPMENT
    kind: red_line
    zones: any
    activities: [mining, industrial, energy]
    verdict: prohibited
    severity: high
    reason_zh: 生态保护红线内原则上禁止开发性、生产性建设活动。
    reason_en: Development and production construction are banned in principle inside a red line.
    source: S3; S4
  - id: RL-STEWARDSHIP
    kind: red_line
    zones: any
    activities: [research, stewardship]
    verdict: permitted_limited
    severity: low
    reason_zh: 红线内允许管护巡护、保护执法、科学研究、调查监测、测绘导航、防灾减灾救灾、军事国防、疫情防控等活动及相关的必要设施，须核实用途。
    reason_en: Patrol, enforcement, research, monitoring, surveying, disaster relief, defence and epidemic control and their necessary facilities are allowed in a red line; check the use.
    source: S4 item 1; S5
  - id: RL-RESIDENTS
    kind: red_line
    zones: any
    activities: [settlement, agriculture, grazing]
    verdict: permitted_limited
    severity: low
    reason_zh: 原住居民和其他合法权益主体可在不扩大现有建设用地、耕地规模和放牧强度的前提下开展种植、放牧等生产生活活动，须核实未扩大。
    reason_en: Residents and other lawful holders may farm, graze and live as before without enlarging construction land, farmland or grazing; check it has not grown.
    source: S4 item 2; S5
  - id: RL-ARCHAEOLOGY
    kind: red_line
    zones: any
    activities: [archaeology]
    verdict: permitted_limited
    severity: low
    reason_zh: 经依法批准的考古调查发掘、古生物化石调查发掘、标本采集和文物保护活动可以开展，须核实批准文件。
    reason_en: Approved archaeology, fossil excavation, specimen collection and heritage work are allowed; check the approval.
    source: S4 item 3; S5
  - id: RL-FORESTRY
    kind: red_line
    zones: any
    activities: [forestry]
    verdict: permitted_limited
    severity: low
    reason_zh: 仅允许按规定对人工商品林抚育采伐、为提升森林质量或建设防火隔离带的树种更新及依法竹林采伐经营，须核实林地性质。
    reason_en: Only tending and felling of man-made commercial forest, tree-species renewal for forest quality or fire breaks, and lawful bamboo management are allowed; check the forest is of that kind.
    source: S4 item 4; S5
  - id: RL-TOURISM
    kind: red_line
    zones: any
    activities: [tourism]
    verdict: permitted_limited
    severity: low
    reason_zh: 允许不破坏生态功能的适度参观旅游、科普宣教及符合相关规划的配套服务设施，须核实规模和规划。
    reason_en: Moderate tourism and public education that do not harm ecological function, with planned facilities, are allowed; check their size and plan.
    source: S4 item 5; S5
  - id: RL-INFRASTRUCTURE
    kind: red_line
    zones: any
    activities: [transport, water, telecom]
    verdict: needs_approval
    severity: medium
    reason_zh: 必须且无法避让、符合县级以上国土空间规划的线性基础设施、通讯、防洪和供水设施可按程序审批后建设。
    reason_en: Unavoidable linear infrastructure, telecommunication, flood-control and water-supply works in county-level or higher plans may be built once approved.
    source: S4 item 6
  - id: RL-EXPLORATION
    kind: red_line
    zones: any
    activities: [exploration]
    verdict: needs_approval
    severity: medium
    reason_zh: 地质调查与矿产资源勘查开采仅限通知所列情形（战略性矿产、已有油气等不扩大范围），须核实审批与情形。
    reason_en: Geological survey and mineral exploration are allowed only in the cases the notice lists (strategic minerals, existing oil and gas without growth); check the approval and the case.
    source: S4 item 7
  - id: RL-RESTORATION
    kind: red_line
    zones: any
    activities: [restoration]
    verdict: permitted_limited
    severity: low
    reason_zh: 依据县级以上国土空间规划和生态保护修复专项规划开展的生态修复可以实施，须核实规划依据。
    reason_en: Ecological restoration under county-level or higher spatial and restoration plans is allowed; check the plan.
    source: S4 item 8; S5
  - id: RL-BORDER
    kind: red_line
    zones: any
    activities: [border]
    verdict: permitted_limited
    severity: low
    reason_zh: 依法依约开展的边界边境通视道清理及界务工程的修建、维护和拆除可以开展，须核实。
    reason_en: Clearing border sight lines and building, keeping or removing boundary works under law and treaties are allowed; check the works.
    source: S4 item 9; S5
  - id: RL-ANY
    kind: red_line
    zones: any
    activities: any
    verdict: needs_approval
    severity: medium
    reason_zh: 红线内其他人为活动需核实是否属于法律法规允许的有限人为活动。
    reason_en: Other activity inside a red line must be checked against the limited activities laws and regulations allow.
    source: S3; S4 item 10

  # ── Anything else (a protection kind the data names but these rules do not know) ──
  - id: OTHER-ANY
    kind: any
    zones: any
    activities: any
    verdict: needs_approval
    severity: medium
    reason_zh: 保护地类型未能识别，需人工判定。
    reason_en: The kind of protection is not recognised; judge by hand.
    source: S5
"""#
}
