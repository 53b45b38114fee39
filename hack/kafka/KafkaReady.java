import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Readiness probe for hack/kafka.sh: KafkaReady BOOTSTRAP BROKERS TIMEOUT_SECONDS.
 * Exits 0 once BROKERS brokers are registered and a topic replicated on all of
 * them can be created and deleted, i.e. a client can really use the cluster
 * (an open port or a registered broker alone is not enough in KRaft).
 */
public final class KafkaReady {
  private static final String TOPIC = "__kafka_sh_ready";

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    int brokers = Integer.parseInt(args[1]);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));

    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);

    Throwable last = null;
    try (Admin admin = Admin.create(props)) {
      while (System.nanoTime() < deadline) {
        try {
          int seen = admin.describeCluster().nodes().get().size();
          if (seen < brokers) {
            throw new IllegalStateException(seen + " of " + brokers + " brokers registered");
          }
          try {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) brokers))).all().get();
          } catch (ExecutionException e) {
            // Left over from an attempt whose delete timed out: still proves the cluster works.
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
          }
          admin.deleteTopics(List.of(TOPIC)).all().get();
          return;
        } catch (Exception e) {
          last = e instanceof ExecutionException ? e.getCause() : e;
          Thread.sleep(300);
        }
      }
    }
    System.err.println("Kafka at " + bootstrap + " not ready: " + last);
    System.exit(1);
  }
}
