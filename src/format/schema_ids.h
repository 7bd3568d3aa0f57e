/* SPDX-License-Identifier: Apache-2.0
 * TFLite schema (schema.fbs, identifier "TFL3", version 3) written out as numbers: enum values,
 * union type ids and table field ids, shared by the FlatBuffers reader and writer so neither needs
 * flatc. Field id = declaration order in the table; a union field `u` takes two ids: `u_type` then `u`.
 *
 * Field ids used (table: id field (type) [default]):
 *   Model:                 0 version(uint) 1 operator_codes[OperatorCode] 2 subgraphs[SubGraph]
 *                          3 description(string) 4 buffers[Buffer] 5 metadata_buffer[int]
 *                          6 metadata[Metadata] 7 signature_defs[SignatureDef]
 *   OperatorCode:          0 deprecated_builtin_code(byte) 1 custom_code(string) 2 version(int)[1]
 *                          3 builtin_code(int)
 *   SubGraph:              0 tensors[Tensor] 1 inputs[int] 2 outputs[int] 3 operators[Operator] 4 name(string)
 *   Tensor:                0 shape[int] 1 type(byte) 2 buffer(uint) 3 name(string) 4 quantization
 *                          5 is_variable(bool) 6 sparsity 7 shape_signature[int] 8 has_rank(bool)
 *                          9 variant_tensors
 *   QuantizationParameters:0 min[float] 1 max[float] 2 scale[float] 3 zero_point[long] 4 details_type(ubyte)
 *                          5 details 6 quantized_dimension(int)
 *   Operator:              0 opcode_index(uint) 1 inputs[int] 2 outputs[int] 3 builtin_options_type(ubyte)
 *                          4 builtin_options 5 custom_options[ubyte] 6 custom_options_format(byte)
 *                          7 mutating_variable_inputs[bool] 8 intermediates[int]
 *                          9 large_custom_options_offset(ulong) 10 large_custom_options_size(ulong)
 *                          11 builtin_options_2_type(ubyte) 12 builtin_options_2
 *   Buffer:                0 data[ubyte] (force_align 16) 1 offset(ulong) 2 size(ulong)
 *   Metadata:              0 name(string) 1 buffer(uint)
 *   TensorMap:             0 name(string) 1 tensor_index(uint)
 *   SignatureDef:          0 inputs[TensorMap] 1 outputs[TensorMap] 2 signature_key(string)
 *                          3 deprecated_tag (deprecated) 4 subgraph_index(uint)
 *   SparsityParameters:    0 traversal_order[int] 1 block_map[int] 2 dim_metadata[DimensionMetadata]
 *   DimensionMetadata:     0 format(byte) 1 dense_size(int) 2 array_segments_type(ubyte) 3 array_segments
 *                          4 array_indices_type(ubyte) 5 array_indices
 *   Int32Vector, Uint16Vector, Uint8Vector: 0 values ([int], [ushort], [ubyte]; the last two force_align 4)
 *   Options tables: see TL_SCH_OPT_* below (only those with typed helpers in the writer).
 */
#ifndef TL_FORMAT_SCHEMA_IDS_H
#define TL_FORMAT_SCHEMA_IDS_H

#define TL_TFL_FILE_IDENTIFIER "TFL3"
#define TL_TFL_SCHEMA_VERSION 3

/* ---- table field ids ---------------------------------------------------------------------- */
enum {
  TL_SCH_MODEL_VERSION = 0,
  TL_SCH_MODEL_OPERATOR_CODES = 1,
  TL_SCH_MODEL_SUBGRAPHS = 2,
  TL_SCH_MODEL_DESCRIPTION = 3,
  TL_SCH_MODEL_BUFFERS = 4,
  TL_SCH_MODEL_METADATA_BUFFER = 5,
  TL_SCH_MODEL_METADATA = 6,
  TL_SCH_MODEL_SIGNATURE_DEFS = 7,

  TL_SCH_OPCODE_DEPRECATED_BUILTIN_CODE = 0, /* int8: min(code, 127) */
  TL_SCH_OPCODE_CUSTOM_CODE = 1,
  TL_SCH_OPCODE_VERSION = 2,      /* default 1 */
  TL_SCH_OPCODE_BUILTIN_CODE = 3, /* int32 */

  TL_SCH_SUBGRAPH_TENSORS = 0,
  TL_SCH_SUBGRAPH_INPUTS = 1,
  TL_SCH_SUBGRAPH_OUTPUTS = 2,
  TL_SCH_SUBGRAPH_OPERATORS = 3,
  TL_SCH_SUBGRAPH_NAME = 4,

  TL_SCH_TENSOR_SHAPE = 0,
  TL_SCH_TENSOR_TYPE = 1,
  TL_SCH_TENSOR_BUFFER = 2,
  TL_SCH_TENSOR_NAME = 3,
  TL_SCH_TENSOR_QUANTIZATION = 4,
  TL_SCH_TENSOR_IS_VARIABLE = 5,
  TL_SCH_TENSOR_SPARSITY = 6,
  TL_SCH_TENSOR_SHAPE_SIGNATURE = 7,
  TL_SCH_TENSOR_HAS_RANK = 8,
  TL_SCH_TENSOR_VARIANT_TENSORS = 9,

  TL_SCH_QUANT_MIN = 0,
  TL_SCH_QUANT_MAX = 1,
  TL_SCH_QUANT_SCALE = 2,
  TL_SCH_QUANT_ZERO_POINT = 3,
  TL_SCH_QUANT_DETAILS_TYPE = 4,
  TL_SCH_QUANT_DETAILS = 5,
  TL_SCH_QUANT_QUANTIZED_DIMENSION = 6,

  TL_SCH_OP_OPCODE_INDEX = 0,
  TL_SCH_OP_INPUTS = 1,
  TL_SCH_OP_OUTPUTS = 2,
  TL_SCH_OP_BUILTIN_OPTIONS_TYPE = 3,
  TL_SCH_OP_BUILTIN_OPTIONS = 4,
  TL_SCH_OP_CUSTOM_OPTIONS = 5,
  TL_SCH_OP_CUSTOM_OPTIONS_FORMAT = 6,
  TL_SCH_OP_MUTATING_VARIABLE_INPUTS = 7,
  TL_SCH_OP_INTERMEDIATES = 8,
  TL_SCH_OP_LARGE_CUSTOM_OPTIONS_OFFSET = 9,
  TL_SCH_OP_LARGE_CUSTOM_OPTIONS_SIZE = 10,
  TL_SCH_OP_BUILTIN_OPTIONS_2_TYPE = 11,
  TL_SCH_OP_BUILTIN_OPTIONS_2 = 12,

  TL_SCH_BUFFER_DATA = 0,
  TL_SCH_BUFFER_OFFSET = 1,
  TL_SCH_BUFFER_SIZE = 2,

  TL_SCH_METADATA_NAME = 0,
  TL_SCH_METADATA_BUFFER = 1,

  TL_SCH_TENSORMAP_NAME = 0,
  TL_SCH_TENSORMAP_TENSOR_INDEX = 1,

  TL_SCH_SIGDEF_INPUTS = 0,
  TL_SCH_SIGDEF_OUTPUTS = 1,
  TL_SCH_SIGDEF_SIGNATURE_KEY = 2,
  TL_SCH_SIGDEF_DEPRECATED_TAG = 3,
  TL_SCH_SIGDEF_SUBGRAPH_INDEX = 4,

  /* SparsityParameters (Tensor.sparsity) */
  TL_SCH_SPARSITY_TRAVERSAL_ORDER = 0, /* [int] */
  TL_SCH_SPARSITY_BLOCK_MAP = 1,       /* [int] */
  TL_SCH_SPARSITY_DIM_METADATA = 2,    /* [DimensionMetadata] */
  /* DimensionMetadata */
  TL_SCH_DIMMETA_FORMAT = 0, /* DimensionType: 0 DENSE, 1 SPARSE_CSR */
  TL_SCH_DIMMETA_DENSE_SIZE = 1,
  TL_SCH_DIMMETA_ARRAY_SEGMENTS_TYPE = 2, /* SparseIndexVector: 1 Int32Vector, 2 Uint16Vector, 3 Uint8Vector */
  TL_SCH_DIMMETA_ARRAY_SEGMENTS = 3,
  TL_SCH_DIMMETA_ARRAY_INDICES_TYPE = 4,
  TL_SCH_DIMMETA_ARRAY_INDICES = 5,
  /* Int32Vector / Uint16Vector (force_align 4) / Uint8Vector (force_align 4) */
  TL_SCH_INDEXVEC_VALUES = 0
};

/* ---- options tables' field ids -------------------------------------------------------------- */
enum {
  /* Conv2DOptions */
  TL_SCH_OPT_CONV_PADDING = 0,
  TL_SCH_OPT_CONV_STRIDE_W = 1,
  TL_SCH_OPT_CONV_STRIDE_H = 2,
  TL_SCH_OPT_CONV_ACTIVATION = 3,
  TL_SCH_OPT_CONV_DILATION_W = 4 /* [1] */,
  TL_SCH_OPT_CONV_DILATION_H = 5 /* [1] */,
  TL_SCH_OPT_CONV_QUANTIZED_BIAS_TYPE = 6,
  /* DepthwiseConv2DOptions */
  TL_SCH_OPT_DW_PADDING = 0,
  TL_SCH_OPT_DW_STRIDE_W = 1,
  TL_SCH_OPT_DW_STRIDE_H = 2,
  TL_SCH_OPT_DW_DEPTH_MULTIPLIER = 3,
  TL_SCH_OPT_DW_ACTIVATION = 4,
  TL_SCH_OPT_DW_DILATION_W = 5 /* [1] */,
  TL_SCH_OPT_DW_DILATION_H = 6 /* [1] */,
  /* Pool2DOptions */
  TL_SCH_OPT_POOL_PADDING = 0,
  TL_SCH_OPT_POOL_STRIDE_W = 1,
  TL_SCH_OPT_POOL_STRIDE_H = 2,
  TL_SCH_OPT_POOL_FILTER_W = 3,
  TL_SCH_OPT_POOL_FILTER_H = 4,
  TL_SCH_OPT_POOL_ACTIVATION = 5,
  /* FullyConnectedOptions */
  TL_SCH_OPT_FC_ACTIVATION = 0,
  TL_SCH_OPT_FC_WEIGHTS_FORMAT = 1,
  TL_SCH_OPT_FC_KEEP_NUM_DIMS = 2,
  TL_SCH_OPT_FC_ASYMMETRIC_QUANTIZE_INPUTS = 3,
  TL_SCH_OPT_FC_QUANTIZED_BIAS_TYPE = 4,
  /* SoftmaxOptions */
  TL_SCH_OPT_SOFTMAX_BETA = 0, /* float */
  /* ConcatenationOptions */
  TL_SCH_OPT_CONCAT_AXIS = 0,
  TL_SCH_OPT_CONCAT_ACTIVATION = 1,
  /* AddOptions / SubOptions (pot_scale_int16 default true) / MulOptions / DivOptions */
  TL_SCH_OPT_ARITH_ACTIVATION = 0,
  TL_SCH_OPT_ARITH_POT_SCALE_INT16 = 1,
  /* ReshapeOptions */
  TL_SCH_OPT_RESHAPE_NEW_SHAPE = 0, /* [int] */
  /* SqueezeOptions */
  TL_SCH_OPT_SQUEEZE_DIMS = 0, /* [int] */
  /* ReducerOptions (MEAN, SUM, ...) */
  TL_SCH_OPT_REDUCER_KEEP_DIMS = 0,
  /* LeakyReluOptions */
  TL_SCH_OPT_LEAKY_RELU_ALPHA = 0,
  /* TransposeConvOptions */
  TL_SCH_OPT_TCONV_PADDING = 0,
  TL_SCH_OPT_TCONV_STRIDE_W = 1,
  TL_SCH_OPT_TCONV_STRIDE_H = 2,
  TL_SCH_OPT_TCONV_ACTIVATION = 3,
  TL_SCH_OPT_TCONV_QUANTIZED_BIAS_TYPE = 4
};

/* ---- enum TensorType : byte ----------------------------------------------------------------- */
enum {
  TL_TFL_FLOAT32 = 0,
  TL_TFL_FLOAT16 = 1,
  TL_TFL_INT32 = 2,
  TL_TFL_UINT8 = 3,
  TL_TFL_INT64 = 4,
  TL_TFL_STRING = 5,
  TL_TFL_BOOL = 6,
  TL_TFL_INT16 = 7,
  TL_TFL_COMPLEX64 = 8,
  TL_TFL_INT8 = 9,
  TL_TFL_FLOAT64 = 10,
  TL_TFL_COMPLEX128 = 11,
  TL_TFL_UINT64 = 12,
  TL_TFL_RESOURCE = 13,
  TL_TFL_VARIANT = 14,
  TL_TFL_UINT32 = 15,
  TL_TFL_UINT16 = 16,
  TL_TFL_INT4 = 17
};

/* ---- enum DimensionType, union SparseIndexVector (sparse tensors) ---------------------------- */
enum { TL_TFL_DIM_DENSE = 0, TL_TFL_DIM_SPARSE_CSR = 1 };
enum { TL_TFL_SPARSE_INDEX_NONE = 0, TL_TFL_SPARSE_INDEX_I32 = 1, TL_TFL_SPARSE_INDEX_U16 = 2, TL_TFL_SPARSE_INDEX_U8 = 3 };

/* ---- enum Padding / ActivationFunctionType / FullyConnectedOptionsWeightsFormat -------------- */
enum { TL_TFL_PAD_SAME = 0, TL_TFL_PAD_VALID = 1 };
enum {
  TL_TFL_ACT_NONE = 0,
  TL_TFL_ACT_RELU = 1,
  TL_TFL_ACT_RELU_N1_TO_1 = 2,
  TL_TFL_ACT_RELU6 = 3,
  TL_TFL_ACT_TANH = 4,
  TL_TFL_ACT_SIGN_BIT = 5
};
enum { TL_TFL_FC_WEIGHTS_DEFAULT = 0, TL_TFL_FC_WEIGHTS_SHUFFLED4x16INT8 = 1 };

/* ---- enum BuiltinOperator : int32 (subset; the schema has ~200, any value may be passed) ----- */
enum {
  TL_TFL_OP_ADD = 0,
  TL_TFL_OP_AVERAGE_POOL_2D = 1,
  TL_TFL_OP_CONCATENATION = 2,
  TL_TFL_OP_CONV_2D = 3,
  TL_TFL_OP_DEPTHWISE_CONV_2D = 4,
  TL_TFL_OP_DEPTH_TO_SPACE = 5,
  TL_TFL_OP_DEQUANTIZE = 6,
  TL_TFL_OP_FLOOR = 8,
  TL_TFL_OP_FULLY_CONNECTED = 9,
  TL_TFL_OP_L2_NORMALIZATION = 11,
  TL_TFL_OP_LOGISTIC = 14,
  TL_TFL_OP_LSTM = 16,
  TL_TFL_OP_MAX_POOL_2D = 17,
  TL_TFL_OP_MUL = 18,
  TL_TFL_OP_RELU = 19,
  TL_TFL_OP_RELU_N1_TO_1 = 20,
  TL_TFL_OP_RELU6 = 21,
  TL_TFL_OP_RESHAPE = 22,
  TL_TFL_OP_RESIZE_BILINEAR = 23,
  TL_TFL_OP_SOFTMAX = 25,
  TL_TFL_OP_SPACE_TO_DEPTH = 26,
  TL_TFL_OP_SVDF = 27,
  TL_TFL_OP_TANH = 28,
  TL_TFL_OP_CALL = 31,
  TL_TFL_OP_CUSTOM = 32,
  TL_TFL_OP_PAD = 34,
  TL_TFL_OP_GATHER = 36,
  TL_TFL_OP_TRANSPOSE = 39,
  TL_TFL_OP_MEAN = 40,
  TL_TFL_OP_SUB = 41,
  TL_TFL_OP_DIV = 42,
  TL_TFL_OP_SQUEEZE = 43,
  TL_TFL_OP_UNIDIRECTIONAL_SEQUENCE_LSTM = 44,
  TL_TFL_OP_STRIDED_SLICE = 45,
  TL_TFL_OP_EXP = 47,
  TL_TFL_OP_SPLIT = 49,
  TL_TFL_OP_LOG_SOFTMAX = 50,
  TL_TFL_OP_CAST = 53,
  TL_TFL_OP_PRELU = 54,
  TL_TFL_OP_MAXIMUM = 55,
  TL_TFL_OP_ARG_MAX = 56,
  TL_TFL_OP_MINIMUM = 57,
  TL_TFL_OP_PADV2 = 60,
  TL_TFL_OP_SLICE = 65,
  TL_TFL_OP_TRANSPOSE_CONV = 67,
  TL_TFL_OP_EXPAND_DIMS = 70,
  TL_TFL_OP_SUM = 74,
  TL_TFL_OP_SQRT = 75,
  TL_TFL_OP_RSQRT = 76,
  TL_TFL_OP_SHAPE = 77,
  TL_TFL_OP_REDUCE_MAX = 82,
  TL_TFL_OP_PACK = 83,
  TL_TFL_OP_UNPACK = 88,
  TL_TFL_OP_SQUARE = 92,
  TL_TFL_OP_RESIZE_NEAREST_NEIGHBOR = 97,
  TL_TFL_OP_LEAKY_RELU = 98,
  TL_TFL_OP_MIRROR_PAD = 100,
  TL_TFL_OP_ABS = 101,
  TL_TFL_OP_SPLIT_V = 102,
  TL_TFL_OP_QUANTIZE = 114,
  TL_TFL_OP_HARD_SWISH = 117,
  TL_TFL_OP_DENSIFY = 124,
  TL_TFL_OP_BATCH_MATMUL = 126,
  TL_TFL_OP_PLACEHOLDER_FOR_GREATER_OP_CODES = 127, /* codes >= 127 only in builtin_code */
  TL_TFL_OP_CALL_ONCE = 129,
  TL_TFL_OP_VAR_HANDLE = 142,
  TL_TFL_OP_READ_VARIABLE = 143,
  TL_TFL_OP_ASSIGN_VARIABLE = 144,
  TL_TFL_OP_GELU = 150
};

/* ---- union BuiltinOptions type ids (0 = NONE; declaration order, 1-based) -------------------- */
enum {
  TL_TFL_OPT_NONE = 0,
  TL_TFL_OPT_CONV2D = 1,
  TL_TFL_OPT_DEPTHWISE_CONV2D = 2,
  TL_TFL_OPT_CONCAT_EMBEDDINGS = 3,
  TL_TFL_OPT_LSH_PROJECTION = 4,
  TL_TFL_OPT_POOL2D = 5,
  TL_TFL_OPT_SVDF = 6,
  TL_TFL_OPT_RNN = 7,
  TL_TFL_OPT_FULLY_CONNECTED = 8,
  TL_TFL_OPT_SOFTMAX = 9,
  TL_TFL_OPT_CONCATENATION = 10,
  TL_TFL_OPT_ADD = 11,
  TL_TFL_OPT_L2_NORM = 12,
  TL_TFL_OPT_LRN = 13,
  TL_TFL_OPT_LSTM = 14,
  TL_TFL_OPT_RESIZE_BILINEAR = 15,
  TL_TFL_OPT_CALL = 16,
  TL_TFL_OPT_RESHAPE = 17,
  TL_TFL_OPT_SKIP_GRAM = 18,
  TL_TFL_OPT_SPACE_TO_DEPTH = 19,
  TL_TFL_OPT_EMBEDDING_LOOKUP_SPARSE = 20,
  TL_TFL_OPT_MUL = 21,
  TL_TFL_OPT_PAD = 22,
  TL_TFL_OPT_GATHER = 23,
  TL_TFL_OPT_BATCH_TO_SPACE_ND = 24,
  TL_TFL_OPT_SPACE_TO_BATCH_ND = 25,
  TL_TFL_OPT_TRANSPOSE = 26,
  TL_TFL_OPT_REDUCER = 27,
  TL_TFL_OPT_SUB = 28,
  TL_TFL_OPT_DIV = 29,
  TL_TFL_OPT_SQUEEZE = 30,
  TL_TFL_OPT_SEQUENCE_RNN = 31,
  TL_TFL_OPT_STRIDED_SLICE = 32,
  TL_TFL_OPT_EXP = 33,
  TL_TFL_OPT_TOPK_V2 = 34,
  TL_TFL_OPT_SPLIT = 35,
  TL_TFL_OPT_LOG_SOFTMAX = 36,
  TL_TFL_OPT_CAST = 37,
  TL_TFL_OPT_DEQUANTIZE = 38,
  TL_TFL_OPT_MAXIMUM_MINIMUM = 39,
  TL_TFL_OPT_ARG_MAX = 40,
  TL_TFL_OPT_LESS = 41,
  TL_TFL_OPT_NEG = 42,
  TL_TFL_OPT_PADV2 = 43,
  TL_TFL_OPT_GREATER = 44,
  TL_TFL_OPT_GREATER_EQUAL = 45,
  TL_TFL_OPT_LESS_EQUAL = 46,
  TL_TFL_OPT_SELECT = 47,
  TL_TFL_OPT_SLICE = 48,
  TL_TFL_OPT_TRANSPOSE_CONV = 49,
  TL_TFL_OPT_SPARSE_TO_DENSE = 50,
  TL_TFL_OPT_TILE = 51,
  TL_TFL_OPT_EXPAND_DIMS = 52,
  TL_TFL_OPT_EQUAL = 53,
  TL_TFL_OPT_NOT_EQUAL = 54,
  TL_TFL_OPT_SHAPE = 55,
  TL_TFL_OPT_POW = 56,
  TL_TFL_OPT_ARG_MIN = 57,
  TL_TFL_OPT_FAKE_QUANT = 58,
  TL_TFL_OPT_PACK = 59,
  TL_TFL_OPT_LOGICAL_OR = 60,
  TL_TFL_OPT_ONE_HOT = 61,
  TL_TFL_OPT_LOGICAL_AND = 62,
  TL_TFL_OPT_LOGICAL_NOT = 63,
  TL_TFL_OPT_UNPACK = 64,
  TL_TFL_OPT_FLOOR_DIV = 65,
  TL_TFL_OPT_SQUARE = 66,
  TL_TFL_OPT_ZEROS_LIKE = 67,
  TL_TFL_OPT_FILL = 68,
  TL_TFL_OPT_BIDI_SEQUENCE_LSTM = 69,
  TL_TFL_OPT_BIDI_SEQUENCE_RNN = 70,
  TL_TFL_OPT_UNIDI_SEQUENCE_LSTM = 71,
  TL_TFL_OPT_FLOOR_MOD = 72,
  TL_TFL_OPT_RANGE = 73,
  TL_TFL_OPT_RESIZE_NEAREST_NEIGHBOR = 74,
  TL_TFL_OPT_LEAKY_RELU = 75,
  TL_TFL_OPT_SQUARED_DIFFERENCE = 76,
  TL_TFL_OPT_MIRROR_PAD = 77,
  TL_TFL_OPT_ABS = 78,
  TL_TFL_OPT_SPLIT_V = 79,
  TL_TFL_OPT_UNIQUE = 80,
  TL_TFL_OPT_REVERSE_V2 = 81,
  TL_TFL_OPT_ADD_N = 82,
  TL_TFL_OPT_GATHER_ND = 83,
  TL_TFL_OPT_COS = 84,
  TL_TFL_OPT_WHERE = 85,
  TL_TFL_OPT_RANK = 86,
  TL_TFL_OPT_REVERSE_SEQUENCE = 87,
  TL_TFL_OPT_MATRIX_DIAG = 88,
  TL_TFL_OPT_QUANTIZE = 89,
  TL_TFL_OPT_MATRIX_SET_DIAG = 90,
  TL_TFL_OPT_HARD_SWISH = 91,
  TL_TFL_OPT_IF = 92,
  TL_TFL_OPT_WHILE = 93,
  TL_TFL_OPT_DEPTH_TO_SPACE = 94,
  TL_TFL_OPT_NMS_V4 = 95,
  TL_TFL_OPT_NMS_V5 = 96,
  TL_TFL_OPT_SCATTER_ND = 97,
  TL_TFL_OPT_SELECT_V2 = 98,
  TL_TFL_OPT_DENSIFY = 99,
  TL_TFL_OPT_SEGMENT_SUM = 100,
  TL_TFL_OPT_BATCH_MATMUL = 101,
  TL_TFL_OPT_CUMSUM = 102,
  TL_TFL_OPT_CALL_ONCE = 103,
  TL_TFL_OPT_BROADCAST_TO = 104,
  TL_TFL_OPT_RFFT2D = 105,
  TL_TFL_OPT_CONV3D = 106,
  TL_TFL_OPT_HASHTABLE = 107,
  TL_TFL_OPT_HASHTABLE_FIND = 108,
  TL_TFL_OPT_HASHTABLE_IMPORT = 109,
  TL_TFL_OPT_HASHTABLE_SIZE = 110,
  TL_TFL_OPT_VAR_HANDLE = 111,
  TL_TFL_OPT_READ_VARIABLE = 112,
  TL_TFL_OPT_ASSIGN_VARIABLE = 113,
  TL_TFL_OPT_RANDOM = 114,
  TL_TFL_OPT_BUCKETIZE = 115,
  TL_TFL_OPT_GELU = 116,
  TL_TFL_OPT_DYNAMIC_UPDATE_SLICE = 117,
  TL_TFL_OPT_UNSORTED_SEGMENT_PROD = 118,
  TL_TFL_OPT_UNSORTED_SEGMENT_MAX = 119,
  TL_TFL_OPT_UNSORTED_SEGMENT_MIN = 120,
  TL_TFL_OPT_UNSORTED_SEGMENT_SUM = 121,
  TL_TFL_OPT_ATAN2 = 122,
  TL_TFL_OPT_SIGN = 123,
  TL_TFL_OPT_BITCAST = 124,
  TL_TFL_OPT_BITWISE_XOR = 125,
  TL_TFL_OPT_RIGHT_SHIFT = 126,
  TL_TFL_OPT_LAST = 126 /* the BuiltinOptions union is frozen; new options go to BuiltinOptions2 */
};

#endif /* TL_FORMAT_SCHEMA_IDS_H */
