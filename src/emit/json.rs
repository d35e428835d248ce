//! A serde serializer writing the bytes serde_json's compact serializer writes, with strings
//! escaped eight bytes at a time: serde_json looks up every byte of every string, and a record
//! is mostly strings.
//!
//! Only what the output needs differs from serde_json; numbers other than integers (floats, 128-bit
//! integers) are handed to serde_json itself, so they are written exactly as it writes them.

use std::fmt::{self, Display};
use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{self, Impossible};

/// Write `value` as compact JSON to `w`.
pub(super) fn write<W: Write, T: Serialize + ?Sized>(w: &mut W, value: &T) -> io::Result<()> {
    value.serialize(&mut Json { w }).map_err(Error::into_io)
}

/// Why serializing stopped: the writer failed, or a value cannot be JSON (a map key that is no
/// string or number).
#[derive(Debug)]
pub(super) enum Error {
    Io(io::Error),
    Invalid(String),
}

impl Error {
    fn into_io(self) -> io::Error {
        match self {
            Error::Io(e) => e,
            Error::Invalid(message) => io::Error::new(io::ErrorKind::InvalidData, message),
        }
    }
}

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => e.fmt(f),
            Error::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error::Invalid(msg.to_string())
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Invalid(e.to_string())
    }
}

struct Json<W> {
    w: W,
}

/// An array or object being written: `first` until its first element is.
struct Compound<'a, W> {
    json: &'a mut Json<W>,
    first: bool,
    /// The closing bytes: `]`, `}`, or `]}` / `}}` for an enum variant's content.
    close: &'static [u8],
}

impl<W: Write> Json<W> {
    fn compound(&mut self, open: &[u8], close: &'static [u8]) -> Result<Compound<'_, W>, Error> {
        self.w.write_all(open)?;
        Ok(Compound { json: self, first: true, close })
    }

    /// `{"variant":`, the start of an enum variant with content.
    fn variant_key(&mut self, variant: &str) -> Result<(), Error> {
        self.w.write_all(b"{")?;
        write_string(variant, &mut self.w)?;
        self.w.write_all(b":")?;
        Ok(())
    }
}

/// Integers and floats as serde_json writes them.
macro_rules! via_serde_json {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<(), Error> {
            Ok(serde_json::to_writer(&mut self.w, &v)?)
        })*
    };
}

impl<'a, W: Write> ser::Serializer for &'a mut Json<W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, W>;
    type SerializeTuple = Compound<'a, W>;
    type SerializeTupleStruct = Compound<'a, W>;
    type SerializeTupleVariant = Compound<'a, W>;
    type SerializeMap = Compound<'a, W>;
    type SerializeStruct = Compound<'a, W>;
    type SerializeStructVariant = Compound<'a, W>;

    via_serde_json! {
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64, serialize_i128: i128,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_u128: u128,
        serialize_f32: f32, serialize_f64: f64,
    }

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        Ok(self.w.write_all(if v { b"true" } else { b"false" })?)
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        Ok(write_string(v.encode_utf8(&mut [0; 4]), &mut self.w)?)
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        Ok(write_string(v, &mut self.w)?)
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        Ok(serde_json::to_writer(&mut self.w, v)?)
    }

    fn serialize_none(self) -> Result<(), Error> {
        Ok(self.w.write_all(b"null")?)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        Ok(self.w.write_all(b"null")?)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.variant_key(variant)?;
        value.serialize(&mut *self)?;
        Ok(self.w.write_all(b"}")?)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        self.compound(b"[", b"]")
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self::SerializeTupleStruct, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        self.variant_key(variant)?;
        self.compound(b"[", b"]}")
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        self.compound(b"{", b"}")
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct, Error> {
        self.compound(b"{", b"}")
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        self.variant_key(variant)?;
        self.compound(b"{", b"}}")
    }
}

impl<W: Write> Compound<'_, W> {
    /// The `,` before every element but the first.
    fn separate(&mut self) -> Result<(), Error> {
        if !std::mem::take(&mut self.first) {
            self.json.w.write_all(b",")?;
        }
        Ok(())
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.separate()?;
        value.serialize(&mut *self.json)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.separate()?;
        write_string(key, &mut self.json.w)?;
        self.json.w.write_all(b":")?;
        value.serialize(&mut *self.json)
    }

    fn close(self) -> Result<(), Error> {
        Ok(self.json.w.write_all(self.close)?)
    }
}

macro_rules! elements {
    ($($trait:ident::$method:ident),*) => {
        $(impl<W: Write> ser::$trait for Compound<'_, W> {
            type Ok = ();
            type Error = Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }

            fn end(self) -> Result<(), Error> {
                self.close()
            }
        })*
    };
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

macro_rules! fields {
    ($($trait:ident),*) => {
        $(impl<W: Write> ser::$trait for Compound<'_, W> {
            type Ok = ();
            type Error = Error;

            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
                self.field(key, value)
            }

            fn end(self) -> Result<(), Error> {
                self.close()
            }
        })*
    };
}

fields!(SerializeStruct, SerializeStructVariant);

impl<W: Write> ser::SerializeMap for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.separate()?;
        key.serialize(MapKey { w: &mut self.json.w })
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.json.w.write_all(b":")?;
        value.serialize(&mut *self.json)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// A map key: a string, or a number or bool written as one (`"7"`), as serde_json allows.
struct MapKey<'a, W> {
    w: &'a mut W,
}

fn key_must_be_a_string() -> Error {
    Error::Invalid("key must be a string".to_owned())
}

impl<W: Write> MapKey<'_, W> {
    /// The string of `v`'s JSON, as serde_json writes numbers and bools as keys.
    fn quoted<T: Serialize>(self, v: &T) -> Result<(), Error> {
        self.w.write_all(b"\"")?;
        serde_json::to_writer(&mut *self.w, v)?;
        Ok(self.w.write_all(b"\"")?)
    }

    /// serde_json refuses non-finite float keys and quotes the others.
    fn float_key<T: Serialize>(self, v: T, finite: bool) -> Result<(), Error> {
        if !finite {
            return Err(Error::Invalid("float key must be finite".to_owned()));
        }
        self.quoted(&v)
    }
}

/// Keys serde_json writes as the string of their JSON.
macro_rules! quoted_keys {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<(), Error> {
            self.quoted(&v)
        })*
    };
}

impl<W: Write> ser::Serializer for MapKey<'_, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    quoted_keys! {
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64, serialize_i128: i128,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_u128: u128,
        serialize_bool: bool,
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.float_key(v, v.is_finite())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.float_key(v, v.is_finite())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        Ok(write_string(v.encode_utf8(&mut [0; 4]), self.w)?)
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        Ok(write_string(v, self.w)?)
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_none(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_must_be_a_string())
    }
}

/// `s` as a JSON string, escaped exactly as serde_json does (`\"`, `\\`, `\b`, `\f`, `\n`,
/// `\r`, `\t`, other control chars as `\u00xx`; everything else as is). Eight bytes are
/// checked at a time (the last eight overlapping the others), and a string with nothing to
/// escape, nearly every one, is written in one piece.
pub(super) fn write_string<W: Write + ?Sized>(s: &str, w: &mut W) -> io::Result<()> {
    let bytes = s.as_bytes();
    let clean = match bytes.len() {
        0..8 => bytes.iter().position(|&b| needs_escape(b)).unwrap_or(bytes.len()),
        n => {
            let mut i = 0;
            while i + 8 <= n && !chunk_needs_escape(bytes, i) {
                i += 8;
            }
            if i + 8 > n && !chunk_needs_escape(bytes, n - 8) { n } else { i }
        }
    };
    w.write_all(b"\"")?;
    if clean < bytes.len() {
        write_escaped(bytes, clean, w)?;
    } else {
        w.write_all(bytes)?;
    }
    w.write_all(b"\"")
}

/// True when the eight bytes from `at` may hold a byte to escape: one below 0x20, `"` or `\`
/// (no false negatives; a false positive only costs the byte-by-byte path).
fn chunk_needs_escape(bytes: &[u8], at: usize) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let mut chunk = [0; 8];
    chunk.copy_from_slice(&bytes[at..at + 8]);
    let v = u64::from_ne_bytes(chunk);
    // The borrow test for "below 0x20" works for bounds up to 0x80.
    let control = v.wrapping_sub(u64::from_ne_bytes([0x20; 8])) & !v & HIGHS;
    let quote = has_zero(v ^ u64::from_ne_bytes([b'"'; 8]));
    let backslash = has_zero(v ^ u64::from_ne_bytes([b'\\'; 8]));
    control | quote | backslash != 0
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// The bytes of a string whose first `clean` bytes need no escape, escaped, without the quotes.
/// Texts with line breaks come here: they go on eight bytes at a time.
fn write_escaped<W: Write + ?Sized>(bytes: &[u8], clean: usize, w: &mut W) -> io::Result<()> {
    let mut run = 0; // start of the bytes not yet written
    let mut i = clean;
    while i < bytes.len() {
        if i + 8 <= bytes.len() && !chunk_needs_escape(bytes, i) {
            i += 8;
            continue;
        }
        let end = (i + 8).min(bytes.len());
        for (j, &b) in bytes.iter().enumerate().take(end).skip(i) {
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0x00..=0x1f => &[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]],
                _ => continue,
            };
            w.write_all(&bytes[run..j])?;
            w.write_all(escape)?;
            run = j + 1;
        }
        i = end;
    }
    w.write_all(&bytes[run..])
}

const HEX: [u8; 16] = *b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::Value;

    fn ours<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        super::write(&mut out, value).map(|()| out).map_err(|e| e.to_string())
    }

    fn theirs<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
        serde_json::to_vec(value).map_err(|e| e.to_string())
    }

    #[test]
    fn strings_are_escaped_as_serde_json_does() {
        let all_ascii: String = (0u8..0x80).map(char::from).collect();
        for s in ["", "a", "Kế hoạch \"số 5\"\\\n\t", "\u{7f}\u{a0}\u{2028}é", &all_ascii, "12345678\n2345678\u{1}"]
        {
            assert_eq!(ours(s), theirs(s), "{s:?}");
        }
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Pair(i8, &'static str);

    #[derive(Serialize)]
    struct Meters(u32);

    #[derive(Serialize)]
    struct Empty {}

    #[derive(Serialize)]
    enum Shape {
        Dot,
        Round(f64),
        Box(u8, i128),
        Named { side: u128, label: Option<char> },
    }

    #[derive(Serialize)]
    struct All {
        unit: (),
        unit_struct: Unit,
        pair: Pair,
        meters: Meters,
        empty: Empty,
        shapes: Vec<Shape>,
        bytes: &'static [u8],
        none: Option<bool>,
        floats: [f32; 3],
        by_int: BTreeMap<i64, bool>,
        by_bool: BTreeMap<bool, ()>,
        by_char: BTreeMap<char, Vec<u8>>,
        by_option: BTreeMap<Option<&'static str>, u8>,
        by_newtype: BTreeMap<u8, Meters>,
    }

    #[test]
    fn every_shape_is_written_as_serde_json_does() {
        let all = All {
            unit: (),
            unit_struct: Unit,
            pair: Pair(-3, "a\"b"),
            meters: Meters(7),
            empty: Empty {},
            shapes: vec![
                Shape::Dot,
                Shape::Round(0.1),
                Shape::Round(f64::NAN),
                Shape::Box(255, i128::MIN),
                Shape::Named { side: u128::MAX, label: Some('\n') },
            ],
            bytes: b"\x00\xff",
            none: None,
            floats: [1.5, f32::INFINITY, -0.0],
            by_int: [(-1, true), (i64::MAX, false)].into(),
            by_bool: [(true, ()), (false, ())].into(),
            by_char: [('é', vec![]), ('"', vec![1])].into(),
            by_option: [(Some("k"), 1)].into(),
            by_newtype: [(2, Meters(3))].into(),
        };
        assert_eq!(ours(&all), theirs(&all));
    }

    #[test]
    fn keys_serde_json_refuses_are_refused() {
        let by_none: BTreeMap<Option<u8>, u8> = [(None, 1)].into();
        let by_vec: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        assert!(ours(&by_none).is_err() && theirs(&by_none).is_err());
        assert!(ours(&by_vec).is_err() && theirs(&by_vec).is_err());
        assert!(ours(&FloatKeys(f64::NAN)).is_err() && theirs(&FloatKeys(f64::NAN)).is_err());
        assert_eq!(ours(&FloatKeys(2.5)), theirs(&FloatKeys(2.5)));
    }

    /// A map with one float key (no map type of std has them).
    struct FloatKeys(f64);

    impl Serialize for FloatKeys {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_map([(self.0, 1)])
        }
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "(?s).{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map("(?s).{0,6}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_does(s in "(?s).{0,40}", t in "[\\x00-\\x7f]{0,40}") {
            prop_assert_eq!(ours(&s), theirs(&s));
            prop_assert_eq!(ours(&t), theirs(&t));
        }

        #[test]
        fn any_json_value_is_written_as_serde_json_does(v in value()) {
            prop_assert_eq!(ours(&v), theirs(&v));
        }
    }
}
