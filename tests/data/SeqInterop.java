// Hadoop's own SequenceFile reader and writer, for tests/test_sequencefile.py's interop test.
// Run as a single-file program: java -cp <hadoop-client jars> SeqInterop.java read|write ...
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.*;
import org.apache.hadoop.io.compress.BZip2Codec;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.DefaultCodec;
import org.apache.hadoop.util.ReflectionUtils;

public class SeqInterop {
  static String show(Writable w) {
    if (w instanceof BytesWritable) {
      StringBuilder sb = new StringBuilder("bytes:");
      for (byte b : ((BytesWritable) w).copyBytes()) sb.append(String.format("%02x", b));
      return sb.toString();
    }
    if (w instanceof MapWritable) {
      TreeMap<String, String> sorted = new TreeMap<>();
      for (java.util.Map.Entry<Writable, Writable> e : ((MapWritable) w).entrySet())
        sorted.put(show(e.getKey()), show(e.getValue()));
      return "map:" + sorted;
    }
    if (w instanceof NullWritable) return "null";
    return w.getClass().getSimpleName() + ":" + w;
  }

  public static void main(String[] args) throws Exception {
    Configuration conf = new Configuration();
    if (args[0].equals("read")) {  // read <file>...: a header line per file, then its records
      for (int a = 1; a < args.length; a++) {
        Path path = new Path(args[a]);
        try (SequenceFile.Reader r = new SequenceFile.Reader(conf, SequenceFile.Reader.file(path))) {
          System.out.println("== " + r.getKeyClassName() + " " + r.getValueClassName() + " "
              + r.isCompressed() + " " + r.isBlockCompressed());
          Writable k = (Writable) ReflectionUtils.newInstance(r.getKeyClass(), conf);
          Writable v = (Writable) ReflectionUtils.newInstance(r.getValueClass(), conf);
          while (r.next(k, v)) System.out.println(show(k) + "\t" + show(v));
        }
      }
      return;
    }
    // write <dir> <records>: <dir>/{none,record,block,bzip2}.seq holding
    // (IntWritable i, Text "v<i>" + "x" * (i % 5)), uncompressed, record- and block-compressed
    // with DefaultCodec, and block-compressed with BZip2Codec.
    int n = Integer.parseInt(args[2]);
    String[] kinds = {"none", "record", "block", "bzip2"};
    for (String kind : kinds) {
      SequenceFile.CompressionType type = SequenceFile.CompressionType.NONE;
      CompressionCodec codec = new DefaultCodec();
      if (kind.equals("record")) type = SequenceFile.CompressionType.RECORD;
      if (kind.equals("block")) type = SequenceFile.CompressionType.BLOCK;
      if (kind.equals("bzip2")) {
        type = SequenceFile.CompressionType.BLOCK;
        codec = new BZip2Codec();
      }
      ((org.apache.hadoop.conf.Configurable) codec).setConf(conf);
      Path path = new Path(args[1], kind + ".seq");
      try (SequenceFile.Writer w = SequenceFile.createWriter(conf, SequenceFile.Writer.file(path),
          SequenceFile.Writer.keyClass(IntWritable.class),
          SequenceFile.Writer.valueClass(Text.class),
          SequenceFile.Writer.compression(type, codec))) {
        for (int i = 0; i < n; i++)
          w.append(new IntWritable(i), new Text("v" + i + "x".repeat(i % 5)));
      }
    }
  }
}
